"""Reading the dishonesty list: its version, a subject's active records, and the ready-made
check every service can use (:data:`DISHONEST_APPLICANT`).
"""
from __future__ import annotations
import datetime as dt
from sqlalchemy import (and_, bindparam, func, literal,
                        or_, select)
from sqlalchemy.orm import Session
from core.platform.clock import today
from core.contract.services import Check, CheckContext, CheckResult
from core.credit.models import CreditImport, CreditRecord, LEVELS


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
