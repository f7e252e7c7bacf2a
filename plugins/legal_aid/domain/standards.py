"""The local economic-hardship standards (Art. 34): data, dated per area, loaded from a file.

File format (CSV, UTF-8 with or without BOM, or GB18030 as Excel writes it)::

    area_code,effective_from,monthly_per_head,assets_per_head,source
    320000,2021-08-01,2280,,江苏省最低工资标准（一类地区）
    320100,2025-01-01,2490,,南京市执行一类地区最低工资标准

``area_code`` is the six-digit administrative division code (province ``xx0000``, city
``xxxx00`` or district); ``effective_from`` an ISO date; ``monthly_per_head`` the household
monthly income per head in yuan; ``assets_per_head`` (optional) a per-head asset limit;
``source`` (optional) where the figure comes from.

Loading is all-or-nothing: every line is checked first and every bad line is reported with
its number; then nothing is written. A standard for an area applies to the districts below
it unless they have their own (district → city → province), from its date on.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import InvalidInput, record_audit, today

from plugins.legal_aid.domain.eligibility import Standard, parse_amount
from plugins.legal_aid.domain.law import cite
from plugins.legal_aid.models import HardshipStandard

COLUMNS = ("area_code", "effective_from", "monthly_per_head", "assets_per_head", "source")
REQUIRED = ("area_code", "effective_from", "monthly_per_head")
AREA_RE = re.compile(r"^\d{6}$")
MAX_AHEAD_DAYS = 366  # a province announces a new standard ahead, not years ahead


def parent_areas(area_code: str) -> list[str]:
    """``320113`` → ``["320113", "320100", "320000"]`` (most specific first)."""
    out = []
    for code in (area_code, area_code[:4] + "00", area_code[:2] + "0000"):
        if code not in out:
            out.append(code)
    return out


def _standard(row: HardshipStandard) -> Standard:
    return Standard(row.area_code, row.effective_from, Decimal(row.monthly_per_head).quantize(Decimal("0.01")),
                    None if row.assets_per_head is None else Decimal(row.assets_per_head).quantize(Decimal("0.01")),
                    row.source or "")


def standard_for(session: Session, area_code: str, day: dt.date) -> Standard | None:
    """The standard in force in ``area_code`` on ``day``: the most specific area that has one."""
    if not AREA_RE.match(area_code or ""):
        return None
    for code in parent_areas(area_code):
        row = session.scalars(select(HardshipStandard).where(
            HardshipStandard.area_code == code, HardshipStandard.effective_from <= day)
            .order_by(HardshipStandard.effective_from.desc()).limit(1)).first()
        if row is not None:
            return _standard(row)
    return None


def all_standards(session: Session) -> list[HardshipStandard]:
    return list(session.scalars(select(HardshipStandard).order_by(
        HardshipStandard.area_code, HardshipStandard.effective_from)))


# -- loading ----------------------------------------------------------------------------------

@dataclass
class LoadReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.inserted} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def parse_line(row: dict, *, on: dt.date) -> dict:
    """Check one line; ValueError with a Chinese reason."""
    missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
    if missing:
        raise ValueError("缺少 " + "、".join(missing))
    area = row["area_code"].strip()
    if not AREA_RE.match(area):
        raise ValueError(f"地区代码“{area}”应为6位行政区划代码")
    try:
        effective = dt.date.fromisoformat(row["effective_from"].strip())
    except ValueError:
        raise ValueError(f"生效日期“{row['effective_from'].strip()}”不是有效日期（应为 YYYY-MM-DD）") from None
    if effective > on + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise ValueError(f"生效日期{effective:%Y年%m月%d日}在一年以后，请核对")
    monthly = parse_amount(row["monthly_per_head"], "月人均收入标准")
    if monthly <= 0:
        raise ValueError("月人均收入标准必须大于0")
    assets_raw = (row.get("assets_per_head") or "").strip()
    assets = parse_amount(assets_raw, "人均资产标准") if assets_raw else None
    source = (row.get("source") or "").strip()
    if len(source) > 200:
        raise ValueError("来源说明过长（最多200字）")
    return {"area_code": area, "effective_from": effective, "monthly_per_head": monthly,
            "assets_per_head": assets, "source": source}


def parse_file(raw: bytes, *, on: dt.date) -> list[dict]:
    """Every line checked; InvalidInput listing each bad line (``details["lines"]``)."""
    reader = csv.DictReader(io.StringIO(_decode(raw)))
    header = [(h or "").strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(f"文件缺少列：{'、'.join(missing)}（应为 {','.join(COLUMNS)}）",
                           code="invalid_standards_file")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"文件有未知的列：{'、'.join(unknown)}（应为 {','.join(COLUMNS)}）",
                           code="invalid_standards_file")
    values, errors, seen = [], [], {}
    for row in reader:
        line = reader.line_num
        try:
            clean = parse_line({(k or "").strip(): v for k, v in row.items()}, on=on)
            key = (clean["area_code"], clean["effective_from"])
            if key in seen:
                raise ValueError(f"与第{seen[key]}行的地区和生效日期重复")
            seen[key] = line
            values.append(clean)
        except ValueError as exc:
            errors.append({"line": line, "message": str(exc)})
    if errors:
        text = "；".join(f"第{e['line']}行：{e['message']}" for e in errors)
        raise InvalidInput(f"经济困难标准文件有{len(errors)}行错误，未导入任何数据：{text}",
                           code="invalid_standards_file", details={"lines": errors})
    if not values:
        raise InvalidInput("文件中没有经济困难标准", code="invalid_standards_file")
    return values


def load_bytes(session: Session, raw: bytes, *, filename: str, actor: str,
               on: dt.date | None = None) -> LoadReport:
    """Load a standards file in the caller's transaction (all lines or none), audited."""
    values = parse_file(raw, on=on or today())
    existing = {(r.area_code, r.effective_from): r for r in session.scalars(select(HardshipStandard))}
    report = LoadReport()
    for v in values:
        row = existing.get((v["area_code"], v["effective_from"]))
        if row is None:
            session.add(HardshipStandard(**v, loaded_by=actor))
            report.inserted += 1
            continue
        current = (Decimal(row.monthly_per_head), None if row.assets_per_head is None
                   else Decimal(row.assets_per_head), row.source)
        if current == (v["monthly_per_head"], v["assets_per_head"], v["source"]):
            report.unchanged += 1
            continue
        row.monthly_per_head, row.assets_per_head, row.source = (
            v["monthly_per_head"], v["assets_per_head"], v["source"])
        row.loaded_by = actor
        report.updated += 1
    session.flush()
    record_audit(session, actor=actor, action="la_standards_loaded", object_type="la_hardship_standards",
                 object_id=filename[:64], data={"file": filename, "sha256": hashlib.sha256(raw).hexdigest(),
                                                "inserted": report.inserted, "updated": report.updated,
                                                "unchanged": report.unchanged, "basis": cite("第三十四条")})
    return report


def load_file(quanke, path: str | Path, *, actor: str = "cli") -> LoadReport:
    path = Path(path)
    with quanke.db.session() as session:
        return load_bytes(session, path.read_bytes(), filename=path.name, actor=actor)
