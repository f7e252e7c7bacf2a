"""Reading and validating archive rows (one category per file), before anything is stored.

:func:`read_csv` streams a CSV file row by row (constant memory, any size) after checking
its header against the category's documented columns; :func:`parse_row` turns one row into
a record and its persons or raises ``ValueError`` with a Chinese reason for the error report.
Resident IDs are checked by :func:`core.platform.identifiers.validate_resident_id`.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from core.api import InvalidInput, today, validate_resident_id

from plugins.archive_query.domain.categories import COMMON_LABELS, Category, check_reference_part, clean_fields, parse_date

MAX_NAME = 30
MAX_BODY = 100
_DIGIT = re.compile(r"\d")
#: One encoder for every row (``json.dumps`` with options builds a new one per call).
_fields_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


@dataclass
class ParsedRow:
    line: int
    reference: str
    record: dict          # columns of aq_archive_records (without id/import_id/updated_at)
    persons: list[dict]   # columns of aq_record_persons (without record_id)
    fields_json: str      # record["fields"] serialised once (hash and COPY use it)


class IdChecker:
    """Validates resident IDs through the core, remembering the last ones seen.

    The same person often appears in many records of one file (a cadre appointed five
    times); a bounded LRU keeps memory flat on files of any size.
    """

    def __init__(self, size: int = 20_000):
        self.size = size
        self.today = today()
        self._seen: OrderedDict[str, tuple[str, dt.date]] = OrderedDict()
        self.calls = 0          # calls into the core's validator …
        self.seconds = 0.0      # … and the time they took (the benchmark reports it)

    def __call__(self, raw: str) -> tuple[str, dt.date]:
        hit = self._seen.get(raw)
        if hit is not None:
            self._seen.move_to_end(raw)
            return hit
        started = time.perf_counter()
        try:
            rid = validate_resident_id(raw, today=self.today, with_place=False)  # raises InvalidInput (Chinese)
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - started
        value = (rid.number, rid.birth_date)
        self._seen[raw] = value
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return value


def _name(value: str, label: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValueError(f"缺少{label}姓名")
    if len(name) > MAX_NAME:
        raise ValueError(f"{label}姓名过长（最多{MAX_NAME}字）")
    if _DIGIT.search(name):
        raise ValueError(f"{label}姓名“{name}”含有数字")
    return name


def parse_row(cat: Category, values: dict[str, str], line: int, ids: IdChecker) -> ParsedRow:
    """One row → record + persons; ``ValueError`` (Chinese reason) when anything is wrong."""
    fonds = check_reference_part(values.get("fonds_no", ""), COMMON_LABELS["fonds_no"])
    file_no = check_reference_part(values.get("file_no", ""), COMMON_LABELS["file_no"])
    item = check_reference_part(values.get("item_no", ""), COMMON_LABELS["item_no"],
                                required=False)
    reference = "/".join(p for p in (fonds, file_no, item) if p)
    record_date = parse_date(values.get("record_date", ""), COMMON_LABELS["record_date"], ids.today)
    body = (values.get("issuing_body") or "").strip()
    if not body:
        raise ValueError("缺少形成机关")
    if len(body) > MAX_BODY:
        raise ValueError(f"形成机关过长（最多{MAX_BODY}字）")
    persons: list[dict] = []
    seen_ids: dict[str, str] = {}
    for position, role in enumerate(cat.roles):
        raw_id = (values.get(f"{role.role}_id_number") or "").strip()
        raw_name = (values.get(f"{role.role}_name") or "").strip()
        if not raw_id and not raw_name and not role.required:
            continue
        if not raw_id:
            raise ValueError(f"缺少{role.label}身份证号")
        try:
            number, birth = ids(raw_id)
        except InvalidInput as exc:
            raise ValueError(f"{role.label}身份证号“{raw_id}”有误：{exc.message}") from None
        if number in seen_ids:
            raise ValueError(f"{role.label}与{seen_ids[number]}的身份证号相同")
        seen_ids[number] = role.label
        if birth > record_date:
            raise ValueError(f"形成日期{record_date:%Y-%m-%d}早于{role.label}的出生日期{birth:%Y-%m-%d}")
        persons.append({"id_number": number, "name": _name(raw_name, role.label),
                        "role": role.role, "position": position, "birth_year": birth.year})
    fields = clean_fields(cat, values, ids.today)
    fields_json = _fields_json(fields)
    # Everything stored, in a fixed order: equal hash = nothing to update on re-import.
    canonical = "\x1f".join([cat.code, reference, record_date.isoformat(), body, fields_json]
                            + [f"{p['role']}\x1e{p['id_number']}\x1e{p['name']}" for p in persons])
    record = {"category": cat.code, "reference": reference, "fonds_no": fonds,
              "file_no": file_no, "item_no": item, "record_date": record_date,
              "issuing_body": body, "fields": fields,
              "row_hash": hashlib.md5(canonical.encode("utf-8")).hexdigest()}
    return ParsedRow(line, reference, record, persons, fields_json)


# -- CSV files ----------------------------------------------------------------------------------

def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030 (what Excel on a Chinese PC saves)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the chunk end is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def scan(path: Path) -> tuple[int, str]:
    """Data lines (for the progress bar) and the file's sha256, in one streaming pass."""
    digest, lines = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return max(lines - 1, 0), digest.hexdigest()


def check_header(cat: Category, header: list[str]) -> list[str]:
    names = [h.strip() for h in header]
    missing = [c for c in cat.columns if c not in names]
    unknown = [c for c in names if c not in cat.columns]
    doubled = sorted({c for c in names if names.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"缺少列：{', '.join(missing)}")
    if unknown:
        problems.append(f"未知列：{', '.join(unknown)}")
    if doubled:
        problems.append(f"重复列：{', '.join(doubled)}")
    if problems:
        raise InvalidInput(f"CSV 表头与{cat.label}的格式不符（{'；'.join(problems)}）。"
                           f"{cat.label}的列为：{', '.join(cat.columns)}",
                           code="invalid_csv_header", details={"missing": missing, "unknown": unknown})
    return names


def read_csv(path: str | Path, cat: Category) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Yield ``(line, values)`` per data row, or ``(line, reason)`` for a malformed row.

    The header is checked first (a wrong header raises before anything is read); blank lines
    are skipped; the line is where the row starts in the file (as a spreadsheet shows it).
    """
    path = Path(path)
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(f"无法读取 CSV 表头：{exc}", code="invalid_csv") from None
        if not header:
            raise InvalidInput("CSV 文件为空（没有表头）", code="invalid_csv")
        names = check_header(cat, header)
        width = len(names)
        previous = reader.line_num
        while True:
            start = previous + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise InvalidInput(f"第{start}行附近的文字编码无法识别（文件应为 UTF-8 或 GB18030）",
                                   code="invalid_csv_encoding") from None
            except csv.Error as exc:
                previous = reader.line_num
                yield start, f"CSV 格式错误：{exc}"
                continue
            previous = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != width:
                yield start, f"本行有{len(cells)}列，表头为{width}列（列数不符，可能缺少或多出逗号）"
                continue
            yield start, dict(zip(names, cells))
