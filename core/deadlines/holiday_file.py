"""Holiday files (``quanke calendar load``): the State Council's arrangement of a year, loaded
by an administrator. Format in :mod:`core.deadlines.calendar`.
"""
from __future__ import annotations
import csv
import io
import json
import logging
import re
from datetime import date
from os import PathLike
from core.platform.errors import InvalidInput
logger = logging.getLogger(__name__)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_TYPES = {"holiday": False, "workday": True}


_NAME_MAX = 64  # CalendarDay.name is String(64)


_MAX_ERRORS_SHOWN = 10


def _parse_entry(raw: dict, where: str, problems: list[dict]) -> tuple[date, bool, str] | None:
    def bad(problem: str) -> None:
        problems.append({"where": where, "problem": problem})

    if not isinstance(raw, dict):
        bad("应为包含 date、type、name 的对象")
        return None
    text = str(raw.get("date") or "").strip()
    kind = str(raw.get("type") or "").strip().lower()
    name = str(raw.get("name") or "").strip()
    day = None
    if not text:
        bad("缺少日期")
    elif not _ISO_DATE.match(text):
        bad(f"日期“{text}”格式错误，应为 YYYY-MM-DD")
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            bad(f"日期“{text}”不存在")
    if kind not in _TYPES:
        bad(f"类型“{kind}”无效，应为 holiday（放假）或 workday（调休上班）" if kind
            else "缺少类型，应为 holiday（放假）或 workday（调休上班）")
        return None
    if len(name) > _NAME_MAX:
        bad(f"名称超过{_NAME_MAX}个字符")
        return None
    if day is None:
        return None
    return day, _TYPES[kind], name


def _read_entries(text: str, is_json: bool, problems: list[dict]) -> list[tuple[str, dict]]:
    """(where, raw row) pairs; ``where`` is the Chinese position used in error messages."""
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append({"where": f"第{exc.lineno}行", "problem": "JSON 格式错误"})
            return []
        if not isinstance(data, list):
            problems.append({"where": "文件", "problem": "JSON 文件应为对象列表"})
            return []
        return [(f"第{i}条记录", item) for i, item in enumerate(data, start=1)]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "date" not in header or "type" not in header:
        problems.append({"where": "第1行", "problem": "表头应为 date,type,name"})
        return []
    reader.fieldnames = header
    rows = []
    for row in reader:
        # line_num is the physical line just read, so it matches what an editor shows.
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank lines, e.g. a trailing one from a spreadsheet export
        rows.append((f"第{reader.line_num}行", row))
    return rows


def load_holiday_file(session, path: str | PathLike) -> int:
    """Load an admin holiday file (format: see the module docstring) into ``CalendarDay``
    rows and return how many days it holds. All-or-nothing; re-loading replaces the same
    days. The caller's session commits."""
    from core.platform.models import CalendarDay

    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"无法读取节假日文件：{exc}", code="invalid_holiday_file") from exc
    is_json = str(path).lower().endswith(".json") or text.lstrip().startswith("[")

    problems: list[dict] = []
    entries: dict[date, tuple[bool, str]] = {}
    first_seen: dict[date, str] = {}
    for where, raw in _read_entries(text, is_json, problems):
        parsed = _parse_entry(raw, where, problems)
        if parsed is None:
            continue
        day, workday, name = parsed
        if day in entries:
            problems.append({"where": where,
                             "problem": f"日期{day.isoformat()}与{first_seen[day]}重复"})
            continue
        entries[day] = (workday, name)
        first_seen[day] = where
    if not problems and not entries:
        problems.append({"where": "文件", "problem": "没有任何日期"})
    if problems:
        shown = "；".join(f"{p['where']}：{p['problem']}" for p in problems[:_MAX_ERRORS_SHOWN])
        more = f"；另有{len(problems) - _MAX_ERRORS_SHOWN}处错误" if len(problems) > _MAX_ERRORS_SHOWN else ""
        raise InvalidInput(f"节假日文件有误，未导入任何日期：{shown}{more}",
                           code="invalid_holiday_file", details={"errors": problems})

    for day, (workday, name) in entries.items():
        row = session.get(CalendarDay, day)
        if row is None:
            session.add(CalendarDay(day=day, is_workday=workday, name=name))
        else:
            row.is_workday, row.name = workday, name
    session.flush()
    return len(entries)
