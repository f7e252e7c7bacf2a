"""Terminating aid (终止法律援助, Art. 48), only for the reasons the law lists (items 1–8 of
its first paragraph; item 8, "法律法规规定的其他情形", with the provision written down), with
a letter.

Dishonest conduct (Art. 48(1) deception, (2) concealment or false evidence) breaks a signed
integrity commitment (Art. 41), which the core turns into a credit record; obtaining aid by
deception is recorded in the credit system even without a commitment.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.api import (
    Commitment,
    CreditRecord,
    InvalidInput,
    InvalidState,
    actor_key,
    record_audit,
    today,
    verify_commitment,
)

from plugins.legal_aid.domain import roster
from plugins.legal_aid.domain.access import CENTRE, require_centre
from plugins.legal_aid.domain.decisions import load
from plugins.legal_aid.domain.followup import ensure_commitment
from plugins.legal_aid.domain.law import DISHONEST_REASONS, TERMINATION_NEEDS_BASIS, TERMINATION_REASONS, cite
from plugins.legal_aid.documents.letters import enqueue_render, record_letter
from plugins.legal_aid.models import Termination, UrgentAid
from plugins.legal_aid.domain.status import SERVICE, aid_in_force

CREDIT_YEARS = 3


def _credit_record(session, app, term: Termination, actor: str) -> int | None:
    commitment = session.scalars(select(Commitment).where(
        Commitment.application_id == app.id, Commitment.status == "pending")).first()
    if commitment is not None and term.reason in DISHONEST_REASONS:
        verify_commitment(session, commitment, kept=False, actor=actor, department=CENTRE,
                                 note=f"{TERMINATION_REASONS[term.reason]}：{term.facts[:200]}",
                                 subject_kind="person", subject_id=app.applicant.id_number,
                                 subject_name=app.applicant.name)
        return commitment.credit_record_id
    if term.reason != "fraud":
        return None
    record = CreditRecord(
        ref=f"legal_aid-termination-{term.id}", subject_kind="person", subject_id=app.applicant.id_number,
        name=app.applicant.name, level="general",
        reason="以欺骗或者其他不正当手段获得法律援助（" + cite("第四十八条、第六十四条") + "）",
        source_department="区司法局法律援助中心", valid_from=today(),
        valid_until=today() + dt.timedelta(days=CREDIT_YEARS * 365))
    session.add(record)
    session.flush()
    record_audit(session, actor=actor, action="la_credit_record", object_type="credit_record",
                 object_id=record.id, application_id=app.id, subject=app.applicant.id_number,
                 data={"ref": record.ref, "reason": record.reason})
    return record.id


def terminate(quanke, actor, app_id: int, *, reason: str, facts: str, found_on: dt.date,
              basis: str = "") -> Termination:
    """Terminate aid in force (granted, or urgent aid before the decision). ``basis`` names
    the law or regulation for Art. 48(1)(8) "法律法规规定的其他情形" (required there only)."""
    user = require_centre(actor, "作出终止法律援助的决定")
    if reason not in TERMINATION_REASONS:
        raise InvalidInput("终止理由不在" + cite("第四十八条") + "规定的情形之内，不能终止法律援助",
                           code="invalid_termination_reason", field="reason")
    basis = basis.strip() if isinstance(basis, str) and reason in TERMINATION_NEEDS_BASIS else ""
    if reason in TERMINATION_NEEDS_BASIS and not basis:
        raise InvalidInput("以“法律法规规定的其他情形”终止的，须写明所依据的法律法规及条文（"
                           + cite("第四十八条第一款第（八）项") + "）", code="termination_basis_required", field="basis")
    if len(basis) > 200:
        raise InvalidInput("依据过长（最多200字）", code="invalid_field", field="basis")
    facts = (facts or "").strip() if isinstance(facts, str) else ""
    if not facts:
        raise InvalidInput("请写明查明的事实", code="facts_required", field="facts")
    if len(facts) > 4000:
        raise InvalidInput("事实说明过长（最多4000字）", code="invalid_field", field="facts")
    if not isinstance(found_on, dt.date):
        raise InvalidInput("请填写发现终止情形的日期", code="invalid_date", field="found_on")
    if found_on > today():
        raise InvalidInput("发现日期不能晚于今天", code="date_in_future", field="found_on")
    ensure_commitment(quanke, app_id)  # a commitment material not yet recorded must exist to be broken
    actor_name = actor_key(user)
    with quanke.db.session() as session:
        app = load(session, app_id)
        in_force = aid_in_force(session, app)
        if in_force is None:
            raise InvalidState("该案件没有正在提供的法律援助，不能终止", code="aid_not_in_force")
        term = Termination(application_id=app.id, reason=reason, facts=facts, basis=basis, found_on=found_on,
                           decided_by_id=user.id)
        session.add(term)
        session.flush()
        roster.end_assignments(session, app, reason=f"终止法律援助：{TERMINATION_REASONS[reason]}",
                               actor=actor_name)
        urgent = session.scalar(select(UrgentAid).where(UrgentAid.application_id == app.id))
        if urgent is not None and urgent.status == "in_force":
            urgent.status, urgent.ended_at, urgent.end_reason = "ended", term.decided_at, "终止法律援助"
        term.credit_record_id = _credit_record(session, app, term, actor_name)
        doc = record_letter(session, app, "la_termination", by_id=user.id,
                            service_name=quanke.service(SERVICE).name)
        term.document_id = doc.id
        record_audit(session, actor=actor_name, action="la_aid_terminated", object_type="la_termination",
                     object_id=term.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"reason": reason, "facts": facts, "provision": basis, "found_on": found_on.isoformat(),
                           "aid": in_force, "credit_record": term.credit_record_id,
                           "document": doc.number, "basis": cite("第四十八条")})
        doc_id = doc.id
    enqueue_render(quanke, doc_id)
    return term
