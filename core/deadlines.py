"""Due dates counted in working days (工作日) under the official Chinese calendar.

Statutory time limits (法定时限) are given in working days: the acceptance date is day 0 and
is not counted; weekends and public holidays are skipped; make-up workdays (调休上班, a
Saturday or Sunday the State Council declares a working day) are counted.

Where the calendar comes from, for each day, in this order:

1. an **override** loaded by an administrator from a holiday file (table ``calendar_days``);
2. the ``chinesecalendar`` package, which ships the State Council arrangements for the
   years it knows (1.11.0: 2004–2026) and raises ``NotImplementedError`` for other years;
3. for a year ``chinesecalendar`` does not know:
   - if the holiday file has at least one day of that year, the file is taken as that year's
     arrangement and every day not in it counts by weekday (Mon–Fri work);
   - otherwise the weekday-only fallback is used, the year is recorded in
     :attr:`WorkCalendar.uncovered_years` and a WARNING is logged once per year and calendar,
     so a missing arrangement shows up in the UI and the logs instead of crashing.

Clock pauses (中止计时, e.g. while a correction or an expert review is pending): a working day
``d`` with ``pause.start < d <= pause.end`` is not counted — the day the clock stops still
counts, the day it resumes does not. While a pause is open (``end is None``) the due date is
unknown, unless counting finished before the pause began.

Holiday file format
-------------------
CSV, UTF-8 (a BOM, as Excel writes it, is accepted), with the header ``date,type,name``::

    date,type,name
    2027-01-01,holiday,元旦
    2027-02-06,holiday,春节
    2027-02-07,workday,春节调休

``date`` is ISO ``YYYY-MM-DD``; ``type`` is ``holiday`` (a day off, weekends inside a
holiday block included) or ``workday`` (a day worked, normally a make-up Saturday/Sunday);
``name`` is optional free text (≤ 64 characters), e.g. the holiday's name.

A JSON file (``.json``, or any file whose content starts with ``[``) holds a list of objects
with the same keys: ``[{"date": "2027-01-01", "type": "holiday", "name": "元旦"}, ...]``.

Loading is all-or-nothing: every row is checked first, and any bad row raises
:class:`~core.errors.InvalidInput` (code ``invalid_holiday_file``) naming the line number
(CSV) or the entry number (JSON) and the problem; nothing is written then. Loading the same
day again replaces it, so re-loading a corrected file is safe.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from os import PathLike
from typing import Sequence

import chinese_calendar
from sqlalchemy import select

from .errors import InvalidInput

logger = logging.getLogger(__name__)

__all__ = [
    "DayInfo", "WorkCalendar", "Pause", "DueDateExplanation", "compute_due_date",
    "add_working_days", "working_days_between", "load_holiday_file", "HOLIDAY_NAMES_ZH",
]

KIND_WORKDAY = "workday"
KIND_WEEKEND = "weekend"
KIND_HOLIDAY = "holiday"
KIND_MAKEUP = "makeup_workday"

SOURCE_LIBRARY = "chinesecalendar"
SOURCE_FILE = "holiday_file"
SOURCE_FALLBACK = "weekday_fallback"

#: chinesecalendar's ``Holiday`` values are English; the screens and letters are Chinese.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@lru_cache(maxsize=None)
def _library_covers(year: int) -> bool:
    """Whether the installed chinesecalendar has the arrangement for ``year``.

    Asked by trying, because the package only says so by raising; cached because the
    answer depends on the installed package only.
    """
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class DayInfo:
    """One day of the calendar and why it is (not) a working day."""

    day: date
    workday: bool
    kind: str     # "workday" | "weekend" | "holiday" | "makeup_workday" (调休上班)
    name: str     # holiday name in Chinese ("国庆节"), "" if none
    source: str   # "chinesecalendar" | "holiday_file" | "weekday_fallback"


def _kind(day: date, workday: bool, name: str) -> str:
    if workday:
        return KIND_MAKEUP if _is_weekend(day) else KIND_WORKDAY
    # A named day off is a holiday even on a Saturday/Sunday inside the holiday block;
    # a weekday off is a holiday whether or not it was given a name.
    if name or not _is_weekend(day):
        return KIND_HOLIDAY
    return KIND_WEEKEND


class WorkCalendar:
    """Official working-day calendar.

    ``overrides`` maps a day to ``(is_workday, name)`` and wins over chinesecalendar; it is
    what :meth:`from_session` loads from the ``calendar_days`` table.
    """

    def __init__(self, overrides: dict[date, tuple[bool, str]] | None = None):
        self._overrides: dict[date, tuple[bool, str]] = {
            day: (bool(workday), name or "") for day, (workday, name) in (overrides or {}).items()
        }
        self._override_years = frozenset(day.year for day in self._overrides)
        #: Years counted Mon–Fri only because neither chinesecalendar nor a holiday file knows
        #: them; the UI shows a warning for these.
        self.uncovered_years: set[int] = set()

    @classmethod
    def from_session(cls, session) -> "WorkCalendar":
        """A calendar with every ``CalendarDay`` row as an override."""
        from .models import CalendarDay  # late: models import half the core

        rows = session.scalars(select(CalendarDay)).all()
        return cls({row.day: (row.is_workday, row.name or "") for row in rows})

    def day_info(self, day: date) -> DayInfo:
        if isinstance(day, dt.datetime):
            # A datetime's date depends on its time zone; silently taking .date() of a UTC
            # timestamp would shift deadlines by a day. Callers use core.clock.local_date().
            raise TypeError("day_info() takes a date; convert with core.clock.local_date()")
        override = self._overrides.get(day)
        if override is not None:
            workday, name = override
            return DayInfo(day, workday, _kind(day, workday, name), name, SOURCE_FILE)
        if day.year in self._override_years and not _library_covers(day.year):
            # The file is that year's arrangement: days it does not list are ordinary days.
            workday = not _is_weekend(day)
            return DayInfo(day, workday, _kind(day, workday, ""), "", SOURCE_FILE)
        if _library_covers(day.year):
            workday = chinese_calendar.is_workday(day)
            _on_holiday, english = chinese_calendar.get_holiday_detail(day)
            # For a make-up workday chinesecalendar names the holiday it makes up for.
            name = HOLIDAY_NAMES_ZH.get(english, english) if english else ""
            return DayInfo(day, workday, _kind(day, workday, name), name, SOURCE_LIBRARY)
        if day.year not in self.uncovered_years:
            self.uncovered_years.add(day.year)
            logger.warning("year %d not covered by chinesecalendar and no holiday file loaded; "
                           "counting weekdays only", day.year)
        workday = not _is_weekend(day)
        return DayInfo(day, workday, _kind(day, workday, ""), "", SOURCE_FALLBACK)

    def is_workday(self, day: date) -> bool:
        return self.day_info(day).workday


@dataclass(frozen=True)
class Pause:
    """A period the clock stood still (中止计时)."""

    start: date
    end: date | None    # None = still paused
    reason: str

    def covers(self, day: date) -> bool:
        return self.start < day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class DueDateExplanation:
    """A due date together with everything needed to explain it to a citizen."""

    start: date                 # acceptance date (day 0, not counted)
    working_days: int
    due_date: date | None       # None while a pause is open
    skipped: tuple[DayInfo, ...]          # weekend/holiday days skipped while counting
    makeup_days: tuple[DayInfo, ...]      # make-up workdays that were counted
    paused_days: tuple[date, ...]         # working days not counted because the clock was paused
    pauses: tuple[Pause, ...]
    extension_days: int
    extension_reason: str
    warnings: tuple[str, ...]             # Chinese
    counted_days: int = 0                 # working days counted so far (= total once due)
    counting: str = "working_days"        # or "calendar_days" (自然日)
    moved_from: date | None = None        # calendar days: the end date that fell on a holiday

    @property
    def unit(self) -> str:
        return "日" if self.counting == "calendar_days" else "个工作日"

    @property
    def total_days(self) -> int:
        return self.working_days + self.extension_days

    def lines(self) -> list[str]:
        """Chinese sentences explaining the computation step by step."""
        out = [f"受理日期：{_zh_date(self.start)}（不计入）",
               f"法定时限：{self.working_days}{self.unit}"
               + ("（自然日，期满日为节假日的顺延至下一工作日）" if self.counting == "calendar_days" else "")]
        out.extend(f"跳过：{text}" for text in _skipped_ranges(self.skipped))
        for info in self.makeup_days:
            suffix = f"（{info.name}调休）" if info.name else ""
            out.append(f"调休上班计入：{_zh_date(info.day)}{suffix}")
        paused = set(self.paused_days)
        for pause in self.pauses:
            reason = f"（原因：{pause.reason}）" if pause.reason else ""
            if pause.end is None:
                out.append(f"中止计时：自{_zh_date(pause.start)}起暂停计时{reason}，尚未恢复")
                continue
            # Each paused day is attributed to the first pause covering it, so overlapping
            # pauses do not add up to more days than were actually lost.
            own = [d for d in sorted(paused) if pause.covers(d)]
            paused -= set(own)
            out.append(f"中止计时：{_zh_date(pause.start)} 至 {_zh_date(pause.end)}{reason}，"
                       f"顺延{len(own)}{self.unit}")
        if self.extension_days:
            reason = f"（原因：{self.extension_reason}）" if self.extension_reason else ""
            out.append(f"延长：{self.extension_days}{self.unit}{reason}")
        out.extend(f"注意：{text}" for text in self.warnings)
        if self.due_date is None:
            remaining = self.total_days - self.counted_days
            out.append(f"办结期限：暂停计时中，已计{self.counted_days}{self.unit}，"
                       f"剩余{remaining}{self.unit}，恢复计时后确定")
        else:
            if self.moved_from is not None:
                out.append(f"期满日{_zh_date(self.moved_from)}为节假日，顺延至下一工作日")
            out.append(f"办结期限：{_zh_date(self.due_date)}"
                       f"（{_WEEKDAYS_ZH[self.due_date.weekday()]}）")
        return out


def _skipped_ranges(skipped: Sequence[DayInfo]) -> list[str]:
    """Consecutive skipped days of the same kind and name as one range, so a week-long
    holiday reads as one line rather than seven."""
    groups: list[list[DayInfo]] = []
    for info in skipped:
        last = groups[-1][-1] if groups else None
        if (last is not None and info.day - last.day == dt.timedelta(days=1)
                and (info.kind, info.name) == (last.kind, last.name)):
            groups[-1].append(info)
        else:
            groups.append([info])
    out = []
    for group in groups:
        first, last = group[0], group[-1]
        span = _zh_date(first.day) if first is last else f"{_zh_date(first.day)}至{_zh_date(last.day)}"
        label = first.name or ("周末" if first.kind == KIND_WEEKEND else "节假日")
        out.append(f"{span} {label}")
    return out


def _check_days(value, what: str) -> int:
    # bool is an int subclass; True working days is a bug, not a time limit.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}必须是整数", code="invalid_deadline")
    if value < 0:
        raise InvalidInput(f"{what}不能为负数", code="invalid_deadline")
    return value


def compute_due_date(calendar: WorkCalendar, start: date, working_days: int, *,
                     pauses: Sequence[Pause] = (), extension_days: int = 0,
                     extension_reason: str = "", counting: str = "working_days") -> DueDateExplanation:
    """Count ``working_days + extension_days`` working days after ``start``, not counting
    working days inside a pause, and explain the result.

    With ``counting="calendar_days"`` every day counts (a law that says "7日"), and an end
    date that is not a working day moves to the next working day.
    """
    if counting == "calendar_days":
        return _calendar_due_date(calendar, start, working_days, pauses=tuple(pauses),
                                  extension_days=extension_days, extension_reason=extension_reason)
    if counting != "working_days":
        raise InvalidInput(f"未知的时限计算方式：{counting}", code="invalid_deadline")
    _check_days(working_days, "法定时限")
    _check_days(extension_days, "延长天数")
    pauses = tuple(pauses)
    for pause in pauses:
        if pause.end is not None and pause.end < pause.start:
            raise InvalidInput(f"中止计时的结束日期{_zh_date(pause.end)}早于开始日期"
                               f"{_zh_date(pause.start)}", code="invalid_deadline")
    open_starts = [p.start for p in pauses if p.end is None]
    # Every working day after an open pause's start is paused, so counting has to stop there.
    stop_after = min(open_starts) if open_starts else None

    total = working_days + extension_days
    skipped: list[DayInfo] = []
    makeup: list[DayInfo] = []
    paused_days: list[date] = []
    fallback_years: set[int] = set()
    counted = 0
    day = start
    due: date | None = start
    while counted < total:
        day += dt.timedelta(days=1)
        if stop_after is not None and day > stop_after:
            due = None
            break
        info = calendar.day_info(day)
        if info.source == SOURCE_FALLBACK:
            fallback_years.add(day.year)
        if not info.workday:
            skipped.append(info)
            continue
        if any(p.covers(day) for p in pauses):
            paused_days.append(day)
            continue
        counted += 1
        if info.kind == KIND_MAKEUP:
            makeup.append(info)
    else:
        due = day

    warnings = tuple(f"{year}年未载入节假日安排，按周一至周五计算" for year in sorted(fallback_years))
    return DueDateExplanation(
        start=start, working_days=working_days, due_date=due, skipped=tuple(skipped),
        makeup_days=tuple(makeup), paused_days=tuple(paused_days), pauses=pauses,
        extension_days=extension_days, extension_reason=extension_reason,
        warnings=warnings, counted_days=counted)


def _calendar_due_date(calendar: WorkCalendar, start: date, days: int, *,
                       pauses: tuple[Pause, ...], extension_days: int,
                       extension_reason: str) -> DueDateExplanation:
    _check_days(days, "法定时限")
    _check_days(extension_days, "延长天数")
    total, counted, day = days + extension_days, 0, start
    paused_days: list[date] = []
    open_starts = [p.start for p in pauses if p.end is None]
    stop_after = min(open_starts) if open_starts else None
    due: date | None = start
    while counted < total:
        day += dt.timedelta(days=1)
        if stop_after is not None and day > stop_after:
            due = None
            break
        if any(p.covers(day) for p in pauses):
            paused_days.append(day)
            continue
        counted += 1
    else:
        due = day
    moved_from = None
    skipped: list[DayInfo] = []
    if due is not None and not calendar.is_workday(due):
        moved_from = due
        while not calendar.is_workday(due):
            skipped.append(calendar.day_info(due))
            due += dt.timedelta(days=1)
    return DueDateExplanation(
        start=start, working_days=days, due_date=due, skipped=tuple(skipped), makeup_days=(),
        paused_days=tuple(paused_days), pauses=pauses, extension_days=extension_days,
        extension_reason=extension_reason, warnings=(), counted_days=counted,
        counting="calendar_days", moved_from=moved_from)


def add_working_days(calendar: WorkCalendar, start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted); n=0 → start."""
    due = compute_due_date(calendar, start, n).due_date
    assert due is not None  # no pauses, so counting always finishes
    return due


def working_days_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """Number of working days ``d`` with ``start < d <= end``; 0 when ``end <= start``."""
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        if calendar.is_workday(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


# --- holiday files ----------------------------------------------------------------------

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
    from .models import CalendarDay

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
