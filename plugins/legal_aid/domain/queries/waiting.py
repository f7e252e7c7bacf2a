"""Granted cases still waiting for a lawyer (Art. 43: within 3 days of the grant; Art. 36:
of an organ's notification): how many,
for the dashboard panel, and which, with their limit, for the centre's attention."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from core.api import Application, State, local_date
from plugins.legal_aid.domain.deadlines import due_on
from plugins.legal_aid.domain.status import GRANTED_STATES, SERVICE
from plugins.legal_aid.models import Assignment, Objection, Termination


def _waiting_for_lawyer_filter():
    """Granted cases (incl. a refusal corrected after an objection) with no active lawyer and
    no termination in force: what ``aid_in_force == "granted"`` and no assignment mean, as SQL."""
    corrected = exists().where(Objection.application_id == Application.id, Objection.against == "refusal",
                               Objection.status == "corrected", Objection.corrected_at.is_not(None))
    active = exists().where(Assignment.application_id == Application.id, Assignment.status == "active")
    terminated = exists().where(Termination.application_id == Application.id,
                                Termination.status == "in_force")
    granted = or_(Application.state.in_(GRANTED_STATES),
                  and_(Application.state == State.REJECTED.value, corrected))
    return and_(Application.service_code == SERVICE, granted, not_(active), not_(terminated))


def count_waiting_for_lawyer(session: Session) -> int:
    """How many granted cases wait for a lawyer: one query (the dashboard panel)."""
    return session.scalar(select(func.count(Application.id)).where(_waiting_for_lawyer_filter())) or 0


def waiting_for_lawyer(quanke, session: Session) -> list[dict]:
    """Granted cases with no lawyer yet, with their 3-day limit (for the centre's attention).

    Three queries whatever the number of cases: the cases, the corrections that granted
    refused ones (their limit runs from the correction), and the calendar (cached)."""
    from plugins.legal_aid.domain.followup import counting
    from plugins.legal_aid.domain.law import ASSIGNMENT_DAYS
    rows = session.execute(select(Application.id, Application.number, Application.state,
                                  Application.decided_at, Application.form_data["category"].as_string(),
                                  func.coalesce(Application.submitted_at, Application.created_at))
                           .where(_waiting_for_lawyer_filter()).order_by(Application.id)).all()
    refused = [r.id for r in rows if r.state == State.REJECTED.value]
    corrected_at: dict[int, dt.datetime] = {}
    if refused:
        for app_id, moment in session.execute(
                select(Objection.application_id, Objection.corrected_at)
                .where(Objection.application_id.in_(refused), Objection.against == "refusal",
                       Objection.status == "corrected", Objection.corrected_at.is_not(None))
                .order_by(Objection.id)):
            corrected_at[app_id] = moment      # the newest correction wins (ordered by id)
    calendar = quanke.calendar(session) if rows else None
    mode = counting(quanke) if rows else None
    out = []
    for row in rows:
        app_id, number, state, decided_at, category, received_at = row
        if category == "notification":     # Art. 36: three days from receiving the notice
            moment = received_at
        else:                               # Art. 43: three days from the grant
            moment = corrected_at.get(app_id) if state == State.REJECTED.value else decided_at
        start = local_date(moment) if moment else None
        due = due_on(calendar, start, ASSIGNMENT_DAYS, mode) if start else None
        out.append({"id": app_id, "number": number, "due_on": due})
    return out
