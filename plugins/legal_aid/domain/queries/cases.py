"""The case list: a case status as SQL (the list filter), category labels, and one page of
cases with their status, decision limit (Art. 43: seven days from receipt), lawyer, urgent aid and pending objection."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from core.api import Applicant, Application, AuditEvent, State, local_date, mask_name
from plugins.legal_aid.domain.deadlines import COUNTING, due_on
from plugins.legal_aid.domain.law import CATEGORIES, DECISION_DAYS
from plugins.legal_aid.domain.status import (
    GRANTED_STATES,
    LABELS,
    PENDING_STATES,
    SERVICE,
    bulk_statuses,
)
from plugins.legal_aid.models import Assignment, Objection, Termination, UrgentAid


def _deemed():
    return exists().where(AuditEvent.application_id == Application.id, AuditEvent.action == "withdraw",
                          AuditEvent.actor == "system")


def status_condition(code: str):
    """SQL for a case status of :func:`.status.case_status` (list filter)."""
    terminated = exists().where(Termination.application_id == Application.id, Termination.status == "in_force")
    urgent = exists().where(UrgentAid.application_id == Application.id, UrgentAid.status == "in_force")
    corrected = exists().where(Objection.application_id == Application.id, Objection.against == "refusal",
                               Objection.status == "corrected", Objection.corrected_at.is_not(None))
    return {
        "pending": and_(Application.state.in_(PENDING_STATES), not_(urgent)),
        "urgent": and_(Application.state.in_(PENDING_STATES), urgent, not_(terminated)),
        "granted": and_(Application.state.in_(GRANTED_STATES), not_(terminated)),
        "granted_on_correction": and_(Application.state == State.REJECTED.value, corrected, not_(terminated)),
        "refused": and_(Application.state == State.REJECTED.value, not_(corrected)),
        "terminated": terminated,
        "withdrawn": and_(Application.state == State.WITHDRAWN.value, not_(_deemed())),
        "deemed_withdrawn": and_(Application.state == State.WITHDRAWN.value, _deemed()),
        "not_accepted": Application.state == State.NOT_ACCEPTED.value,
    }.get(code)


def category_label(code: str) -> str:
    category = CATEGORIES.get(code or "")
    return f"{category.label}（{category.article}）" if category else (code or "—")


@dataclass
class CaseRow:
    id: int
    number: str
    receipt_no: str | None
    applicant: str
    category: str
    opposing_party: str
    status: str
    status_label: str
    accepted_on: dt.date | None
    decide_by: dt.date | None
    decided_on: dt.date | None
    lawyer: str
    urgent: bool
    objection_pending: bool


def case_list(quanke, session: Session, *, status: str = "", category: str = "", q: str = "",
              page: int = 1, per_page: int = 20) -> tuple[list[CaseRow], int]:
    stmt = (select(Application).join(Applicant, Applicant.id == Application.applicant_id)
            .where(Application.service_code == SERVICE, Application.state != State.DRAFT.value))
    condition = status_condition(status) if status else None
    if condition is not None:
        stmt = stmt.where(condition)
    if category:
        stmt = stmt.where(Application.form_data["category"].as_string() == category)
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Application.number.ilike(like), Application.receipt_no.ilike(like),
                              Applicant.name.ilike(like)))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    apps = session.scalars(stmt.order_by(Application.created_at.desc(), Application.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).unique().all()
    ids = [a.id for a in apps]
    lawyers = {a.application_id: a.lawyer.name for a in session.scalars(
        select(Assignment).where(Assignment.application_id.in_(ids), Assignment.status == "active"))}
    urgent = set(session.scalars(select(UrgentAid.application_id).where(UrgentAid.application_id.in_(ids))))
    pending_obj = set(session.scalars(select(Objection.application_id).where(
        Objection.application_id.in_(ids), Objection.status == "pending")))
    deemed = set(session.scalars(select(AuditEvent.application_id).where(
        AuditEvent.application_id.in_(ids), AuditEvent.action == "withdraw", AuditEvent.actor == "system")))
    codes = bulk_statuses(session, list(apps), deemed)
    calendar = quanke.calendar(session)
    rows = []
    for app in apps:
        code = codes[app.id]
        accepted = local_date(app.accepted_at) if app.accepted_at else None
        # Art. 43: seven days from receipt (the day the system recorded), not from acceptance
        received = local_date(app.submitted_at or app.created_at)
        counting = (app.clock_rule or {}).get("counting") or COUNTING
        rows.append(CaseRow(
            id=app.id, number=app.number, receipt_no=app.receipt_no, applicant=mask_name(app.applicant.name),
            category=category_label((app.form_data or {}).get("category")),
            opposing_party=(app.form_data or {}).get("opposing_party", ""), status=code,
            status_label=LABELS.get(code, code), accepted_on=accepted,
            decide_by=due_on(calendar, received, DECISION_DAYS, counting) if accepted else None,
            decided_on=local_date(app.decided_at) if app.decided_at else None,
            lawyer=lawyers.get(app.id, ""), urgent=app.id in urgent, objection_pending=app.id in pending_obj))
    return rows, int(total or 0)
