"""One legal-aid case as plain data, for the case page and the API."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Application, Document, State, local_date, mask_id

from plugins.legal_aid.domain import roster
from plugins.legal_aid.domain.assessment import assess_application, legacy_values
from plugins.legal_aid.domain.deadlines import COUNTING, due_on, explain
from plugins.legal_aid.domain.eligibility import HouseholdError, parse_household
from plugins.legal_aid.domain.followup import assignment_start, counting, decided_on
from plugins.legal_aid.domain.law import (
    ASSIGNMENT_DAYS,
    CRIMINAL_REASONS,
    DECISION_DAYS,
    INJURY_KINDS,
    NOTIFICATION_GROUNDS,
    NOTIFYING_ORGANS,
    STATUSES,
    TERMINATION_REASONS,
    URGENT_REASONS,
)
from plugins.legal_aid.domain.notifications import is_notification
from plugins.legal_aid.domain.receipt import area_of_centre
from plugins.legal_aid.documents.letters import KINDS as LETTER_KINDS
from plugins.legal_aid.documents.letters import decision_evidence
from plugins.legal_aid.models import Assignment, Objection, Termination, UrgentAid
from plugins.legal_aid.domain.queries import category_label
from plugins.legal_aid.domain.status import LABELS, PENDING_STATES, aid_in_force, case_status

CORE_LETTERS = {"receipt": "受理回执", "correction_notice": "一次性补正告知书", "refusal_notice": "不予受理通知书",
                "decision_approve": "准予行政许可决定书", "decision_reject": "不予行政许可决定书",
                "certificate": "给予法律援助决定书"}


def _d(value):
    return value.isoformat() if value is not None else None


def _notification(data: dict) -> dict | None:
    if not is_notification(data):
        return None
    ground = NOTIFICATION_GROUNDS.get(data.get("notification_ground") or "")
    return {"organ_kind": NOTIFYING_ORGANS.get(data.get("notifying_organ_kind") or "", ""),
            "organ": data.get("notifying_organ", ""), "case_no": data.get("criminal_case_no", ""),
            "ground": f"{ground.label}（{ground.article}）" if ground else "",
            "basis": data.get("other_basis", "") if ground and ground.needs_basis else ""}


def decision_limit(quanke, session: Session, app: Application) -> tuple[str | None, str]:
    """The Art. 43 limit: 7 days from *receipt* (the clock the application was received with)."""
    if app.accepted_at is None:
        return None, ""
    rule = (app.clock_rule or {}).get("counting") or COUNTING
    calendar, received = quanke.calendar(session), local_date(app.submitted_at or app.created_at)
    return (_d(due_on(calendar, received, DECISION_DAYS, rule)),
            explain(calendar, received, DECISION_DAYS, rule, "第四十三条第一款"))


def case_detail(quanke, session: Session, app: Application) -> dict:
    data = app.form_data or {}
    facts, current = assess_application(quanke, session, app)
    area = area_of_centre(quanke, session, app.centre_id)
    decide_by, decide_by_explained = decision_limit(quanke, session, app)
    assign_start, assign_rule = assignment_start(session, app)
    try:
        household = [{"relation": m.relation, "name": m.name, "monthly_income": str(m.monthly_income)}
                     for m in parse_household(data.get("household", ""))]
    except HouseholdError:
        household = []
    calendar = quanke.calendar(session)
    rule = counting(quanke)
    accepted = local_date(app.accepted_at) if app.accepted_at else None
    decided = decided_on(session, app)
    urgent = session.scalar(select(UrgentAid).where(UrgentAid.application_id == app.id))
    assignments = list(session.scalars(select(Assignment).where(Assignment.application_id == app.id)
                                       .order_by(Assignment.id)))
    objections = list(session.scalars(select(Objection).where(Objection.application_id == app.id)
                                      .order_by(Objection.id)))
    terminations = list(session.scalars(select(Termination).where(Termination.application_id == app.id)
                                        .order_by(Termination.id)))
    documents = list(session.scalars(select(Document).where(Document.application_id == app.id)
                                     .order_by(Document.id)))
    status = case_status(session, app)
    return {
        "id": app.id, "number": app.number, "receipt_no": app.receipt_no, "state": app.state,
        "state_label": State(app.state).label, "status": status, "status_label": LABELS.get(status, status),
        "aid_in_force": aid_in_force(session, app),
        "applicant": {"name": app.applicant.name, "id_number": mask_id(app.applicant.id_number)},
        "category": data.get("category"), "category_label": category_label(data.get("category")),
        "injury_kind": INJURY_KINDS.get(data.get("injury_kind", ""), ""),
        "opposing_party": data.get("opposing_party", ""), "matter": data.get("matter", ""),
        "received_on": facts.received_on.isoformat(), "area_code": area.code, "area": area.describe(),
        "legacy": legacy_values(data), "notification": _notification(data),
        "criminal_reason": CRIMINAL_REASONS.get(data.get("criminal_reason") or "", ""),
        "criminal_reason_note": data.get("criminal_reason_note", ""),
        "incident_date": data.get("incident_date"), "has_agent": bool(data.get("has_agent")),
        "declared_status": STATUSES[data["status"]].label if data.get("status") in STATUSES else "",
        "household": household, "savings": data.get("savings"), "other_assets": data.get("other_assets", ""),
        "urgent_requested": bool(data.get("urgent")),
        "urgent_reason_requested": URGENT_REASONS.get(data.get("urgent_reason") or "", ""),
        "assessment": current.as_evidence(facts),
        "decision_record": decision_evidence(session, app.id) if app.decided_at else None,
        "accepted_on": _d(accepted),
        "decide_by": decide_by, "decide_by_explained": decide_by_explained,
        "decided_on": _d(decided),
        "assign_by": (_d(due_on(calendar, assign_start, ASSIGNMENT_DAYS, rule))
                      if assign_start and status.startswith("granted") else None),
        "assign_rule": assign_rule,
        "pending": app.state in PENDING_STATES,
        "urgent": None if urgent is None else {
            "reason": URGENT_REASONS[urgent.reason], "deadline_on": _d(urgent.deadline_on), "note": urgent.note,
            "decided_at": urgent.decided_at.isoformat(), "status": urgent.status, "end_reason": urgent.end_reason},
        "assignments": [{"id": a.id, "lawyer_id": a.lawyer_id, "lawyer": a.lawyer.name, "firm": a.lawyer.firm,
                         "kind": a.kind, "status": a.status, "assigned_on": local_date(a.assigned_at).isoformat(),
                         "due_on": _d(a.due_on),
                         "on_time": a.due_on is None or local_date(a.assigned_at) <= a.due_on,
                         "end_reason": a.end_reason} for a in assignments],
        "lawyer": next((a.lawyer.name for a in assignments if a.status == "active"), ""),
        "objections": [{"id": o.id, "against": o.against, "received_on": o.received_on.isoformat(),
                        "due_on": o.due_on.isoformat(), "grounds": o.grounds, "status": o.status,
                        "reasons": o.decision_reasons,
                        "decided_on": local_date(o.decided_at).isoformat() if o.decided_at else None,
                        "corrected_on": local_date(o.corrected_at).isoformat() if o.corrected_at else None}
                       for o in objections],
        "terminations": [{"id": t.id, "reason": TERMINATION_REASONS[t.reason], "facts": t.facts, "basis": t.basis,
                          "found_on": t.found_on.isoformat(), "status": t.status,
                          "decided_on": local_date(t.decided_at).isoformat(),
                          "credit_record": t.credit_record_id} for t in terminations],
        "documents": [{"id": d.id, "kind": d.kind,
                       "label": LETTER_KINDS[d.kind][0] if d.kind in LETTER_KINDS else CORE_LETTERS.get(d.kind, d.kind),
                       "number": d.number, "status": d.status, "verification_code": d.verification_code,
                       "issued_on": local_date(d.issued_at).isoformat()} for d in documents],
        "candidates": [{"id": lw.id, "name": lw.name, "firm": lw.firm}
                       for lw in roster.candidates(session, app)[0]],
    }
