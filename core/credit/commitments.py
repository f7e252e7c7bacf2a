"""Commitments signed under 告知承诺: signing, verification, broken ones."""
from __future__ import annotations
import datetime as dt
import hashlib
from sqlalchemy import (select)
from sqlalchemy.orm import Session
from core.platform import audit
from core.platform.clock import now, today
from core.platform.errors import InvalidState
from core.credit.models import Commitment, CreditRecord


def broken_commitments_since(session: Session, applicant_id: int, since: dt.datetime) -> list[Commitment]:
    return list(session.scalars(select(Commitment).where(
        Commitment.applicant_id == applicant_id, Commitment.status == "broken",
        Commitment.verified_at >= since)))


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
