"""Importing a credit list from CSV (``quanke credit import``); format in :mod:`core.credit`."""
from __future__ import annotations
import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from sqlalchemy import (select)
from sqlalchemy.orm import Session
from core.platform import audit
from core.platform.clock import now
from core.platform.errors import InvalidInput
from core.platform.identifiers import validate_credit_code, validate_resident_id
from core.credit.models import CreditImport, CreditRecord, LEVELS


CSV_COLUMNS = ["ref", "subject_kind", "subject_id", "name", "level", "reason",
               "source_department", "valid_from", "valid_until"]


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> int:
        return self.imported + self.updated + self.unchanged


def _parse_date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{what} “{value}” 不是有效日期（应为 YYYY-MM-DD）") from None


def parse_row(row: dict) -> dict:
    """Validate one CSV row; raise ValueError with a Chinese reason."""
    missing = [c for c in ("ref", "subject_kind", "subject_id", "name", "level", "reason",
                           "source_department", "valid_from") if not (row.get(c) or "").strip()]
    if missing:
        raise ValueError(f"缺少字段：{', '.join(missing)}")
    kind = row["subject_kind"].strip()
    if kind == "person":
        try:
            subject_id = validate_resident_id(row["subject_id"]).number
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
    elif kind == "enterprise":
        try:
            subject_id = validate_credit_code(row["subject_id"])
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
    else:
        raise ValueError(f"主体类型 “{kind}” 未知（应为 person 或 enterprise）")
    level = row["level"].strip()
    if level not in LEVELS:
        raise ValueError(f"失信等级 “{level}” 未知（应为 serious 或 general）")
    valid_from = _parse_date(row["valid_from"], "生效日期")
    until_raw = (row.get("valid_until") or "").strip()
    valid_until = _parse_date(until_raw, "失效日期") if until_raw else None
    if valid_until and valid_until < valid_from:
        raise ValueError("失效日期早于生效日期")
    return {"ref": row["ref"].strip(), "subject_kind": kind, "subject_id": subject_id,
            "name": row["name"].strip(), "level": level, "reason": row["reason"].strip(),
            "source_department": row["source_department"].strip(),
            "valid_from": valid_from, "valid_until": valid_until}


def import_csv(session: Session, path: str | Path, *, actor: str = "system",
               progress=None) -> ImportReport:
    """Import good rows, report bad ones with line numbers; re-import is idempotent."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = raw.decode("gb18030")
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"CSV 缺少列：{', '.join(missing)}", code="invalid_csv")
    batch = CreditImport(filename=path.name, sha256=hashlib.sha256(raw).hexdigest())
    session.add(batch)
    session.flush()
    report = ImportReport()
    seen: dict[str, int] = {}
    existing = {r.ref: r for r in session.scalars(select(CreditRecord))}
    for row in reader:
        line = reader.line_num
        try:
            values = parse_row({(k or "").strip(): v for k, v in row.items()})
            if values["ref"] in seen:
                raise ValueError(f"编号 {values['ref']} 与第 {seen[values['ref']]} 行重复")
            seen[values["ref"]] = line
        except ValueError as exc:
            report.errors.append((line, str(exc)))
        else:
            current = existing.get(values["ref"])
            if current is None:
                record = CreditRecord(**values, import_id=batch.id)
                session.add(record)
                existing[record.ref] = record
                report.imported += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                current.import_id = batch.id
                current.updated_at = now()
                report.updated += 1
            else:
                report.unchanged += 1
        if progress:
            progress(1)
    batch.rows_ok, batch.rows_bad = report.ok, len(report.errors)
    audit.record(session, actor=actor, action="credit_import", object_type="credit_import",
                 object_id=batch.id, data={"file": path.name, "sha256": batch.sha256,
                                           "imported": report.imported, "updated": report.updated,
                                           "unchanged": report.unchanged,
                                           "bad_rows": len(report.errors)})
    return report
