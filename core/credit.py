"""Credit (信用): dishonesty records, commitments (告知承诺) and the ready-made check.

Records come from the departments that feed the credit platform, imported from CSV
(``quanke credit import``). Columns, with a header row::

    ref,subject_kind,subject_id,name,level,reason,source_department,valid_from,valid_until

``ref`` is the source system's record id (re-importing the same ``ref`` updates, never
duplicates); ``subject_kind`` is ``person`` (resident ID) or ``enterprise`` (credit code);
``level`` is ``serious`` (严重失信, blocks) or ``general`` (一般失信, warns); dates are ISO,
``valid_until`` may be empty (no expiry).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (Date, ForeignKey, Integer, String, Text, and_, bindparam, func, literal,
                        or_, select)
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import audit
from .clock import now, today
from .db import Base, UTCDateTime
from .errors import InvalidInput, InvalidState
from .identifiers import validate_credit_code, validate_resident_id
from .services import Check, CheckContext, CheckResult

LEVELS = {"serious": "严重失信", "general": "一般失信"}
CSV_COLUMNS = ["ref", "subject_kind", "subject_id", "name", "level", "reason",
               "source_department", "valid_from", "valid_until"]


class CreditImport(Base):
    """One import of a credit list: the list version evidence refers to."""

    __tablename__ = "credit_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    rows_ok: Mapped[int] = mapped_column(Integer, default=0)
    rows_bad: Mapped[int] = mapped_column(Integer, default=0)


class CreditRecord(Base):
    """A dishonest-person or dishonest-enterprise record (失信记录)."""

    __tablename__ = "credit_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    source_department: Mapped[str] = mapped_column(String(128))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("credit_imports.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    def as_evidence(self) -> dict:
        return {"ref": self.ref, "subject_id": self.subject_id, "name": self.name,
                "level": self.level, "reason": self.reason,
                "source_department": self.source_department,
                "valid_from": self.valid_from.isoformat(),
                "valid_until": self.valid_until.isoformat() if self.valid_until else None}


class Commitment(Base):
    """A commitment signed under notification-commitment (告知承诺), verified later."""

    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(96))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/kept/broken
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[str] = mapped_column(String(48), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    credit_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))


# -- queries --------------------------------------------------------------------------------

_LAST_IMPORT = select(func.max(CreditImport.id)).scalar_subquery()
_NEWEST_RECORD = select(func.max(CreditRecord.id)).scalar_subquery()


def _version(last_import: int | None, newest_record: int | None) -> str:
    return f"import-{last_import or 0}/record-{newest_record or 0}"


def list_version(session: Session) -> str:
    """A name for the credit list as it stands now: the last import and the newest record.

    Records are only added (a broken commitment, an import) or changed by an import, so the
    two ids name the list's state; both are index look-ups, where counting the records took
    time in proportion to the list, on every check of every acceptance.
    """
    return _version(*session.execute(select(_LAST_IMPORT, _NEWEST_RECORD)).one())


#: A subject's records in force on a day (bound: kind, subject, on).
_ACTIVE_ON = and_(CreditRecord.subject_kind == bindparam("kind"),
                  CreditRecord.subject_id == bindparam("subject"),
                  CreditRecord.valid_from <= bindparam("on"),
                  or_(CreditRecord.valid_until.is_(None), CreditRecord.valid_until >= bindparam("on")))
_ACTIVE = (select(CreditRecord).where(_ACTIVE_ON)
           .order_by(CreditRecord.level.desc(), CreditRecord.id))
# The list's version with the subject's active records (none: one row of NULLs): one query.
_VERSION_AND_ACTIVE = (
    select(_LAST_IMPORT, _NEWEST_RECORD, CreditRecord)
    .select_from(select(literal(1).label("one")).subquery())
    .outerjoin(CreditRecord, _ACTIVE_ON)
    .order_by(CreditRecord.level.desc(), CreditRecord.id))


def active_records(session: Session, subject_kind: str, subject_id: str,
                   on: dt.date) -> list[CreditRecord]:
    return list(session.scalars(_ACTIVE, {"kind": subject_kind, "subject": subject_id, "on": on}))


def version_and_active_records(session: Session, subject_kind: str, subject_id: str,
                               on: dt.date) -> tuple[str, list[CreditRecord]]:
    """:func:`list_version` and :func:`active_records` in one query (acceptance runs it)."""
    rows = session.execute(_VERSION_AND_ACTIVE,
                           {"kind": subject_kind, "subject": subject_id, "on": on}).all()
    return _version(rows[0][0], rows[0][1]), [row[2] for row in rows if row[2] is not None]


def _dishonest_applicant(ctx: CheckContext) -> CheckResult:
    applicant = ctx.applicant
    version, records = version_and_active_records(ctx.session, applicant.kind,
                                                  applicant.id_number, today(ctx.now))
    if not records:
        return CheckResult.passed("未查询到失信记录", list_version=version)
    serious = [r for r in records if r.level == "serious"]
    worst = serious[0] if serious else records[0]
    reason = (f"{LEVELS[worst.level]}：{worst.reason}（{worst.source_department}，"
              f"有效期至{worst.valid_until.isoformat() if worst.valid_until else '长期'}）")
    kw = {"hit": True, "matched": worst.as_evidence(), "list_version": version}
    if serious:
        return CheckResult.block(reason, **kw)
    return CheckResult.warn(reason + "；如仍受理，请记录理由", **kw)


#: Ready-made check any service can list: ``checks=(DISHONEST_APPLICANT, ...)``.
DISHONEST_APPLICANT = Check(
    code="core.dishonest_applicant",
    name="失信主体核查",
    run=_dishonest_applicant,
    description="申请人在失信名单上：严重失信阻止受理，一般失信提示并需记录受理理由。",
)


def broken_commitments_since(session: Session, applicant_id: int, since: dt.datetime) -> list[Commitment]:
    return list(session.scalars(select(Commitment).where(
        Commitment.applicant_id == applicant_id, Commitment.status == "broken",
        Commitment.verified_at >= since)))


# -- commitments ----------------------------------------------------------------------------

def sign_commitment(session: Session, *, applicant_id: int, service_code: str, text: str,
                    application_id: int | None = None, actor: str) -> Commitment:
    commitment = Commitment(applicant_id=applicant_id, application_id=application_id,
                            service_code=service_code, text=text,
                            text_sha256=hashlib.sha256(text.encode()).hexdigest())
    session.add(commitment)
    session.flush()
    audit.record(session, actor=actor, action="commitment_signed", object_type="commitment",
                 object_id=commitment.id, application_id=application_id,
                 data={"service": service_code, "text_sha256": commitment.text_sha256})
    return commitment


def verify_commitment(session: Session, commitment: Commitment, *, kept: bool, actor: str,
                      department: str, note: str = "", subject_kind: str = "person",
                      subject_id: str = "", subject_name: str = "") -> Commitment:
    """Record the on-site verification; a broken commitment creates a credit record."""
    if commitment.status != "pending":
        raise InvalidState("该承诺已核查，不能重复核查", code="commitment_already_verified")
    commitment.status = "kept" if kept else "broken"
    commitment.verified_at = now()
    commitment.verified_by = actor
    commitment.note = note
    if not kept:
        record = CreditRecord(
            ref=f"commitment-{commitment.id}", subject_kind=subject_kind, subject_id=subject_id,
            name=subject_name, level="general", reason=f"违反告知承诺：{note or commitment.service_code}",
            source_department=department, valid_from=today(), valid_until=today() + dt.timedelta(days=3 * 365))
        session.add(record)
        session.flush()
        commitment.credit_record_id = record.id
    audit.record(session, actor=actor, action="commitment_verified", object_type="commitment",
                 object_id=commitment.id, application_id=commitment.application_id,
                 data={"status": commitment.status, "note": note})
    return commitment


# -- import ---------------------------------------------------------------------------------

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
