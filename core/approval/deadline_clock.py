"""The legal clock of an application in review: pause (中止计时), resume, extend (延长期限)."""
from __future__ import annotations
import logging
from sqlalchemy.orm import Session
from core.platform.clock import local_date, now as utcnow
from core.platform.errors import InvalidInput, InvalidState
from core.platform.models import (Application, ClockPause)
from core.approval.powers import require_approver, require_claimant_or_lead
from core.deadlines.explain import clock_of, due_date_explanation
from core.platform.actors import Actor
from core.statemachine.guards import written_reasons
from core.statemachine.states import require_state
from core.statemachine.transitions import transition
log = logging.getLogger(__name__)


def recompute_due(quanke, session: Session, app: Application) -> None:
    explanation = due_date_explanation(quanke, session, app)
    app.due_date = explanation.due_date if explanation else None
    if app.overdue and app.due_date and app.due_date >= local_date(utcnow()):
        app.overdue = False
        app.overdue_since = None


def pause(quanke, actor: Actor, app_id: int, *, reason: str) -> Application:
    """Stop the clock (中止计时) — e.g. waiting for an inspection or expert opinion."""
    def body(session, app, who):
        user = require_claimant_or_lead(who, app, "中止计时")
        require_state(app, "pause")
        if app.paused:
            raise InvalidState("计时已处于中止状态", code="already_paused")
        clock = clock_of(quanke, app)
        if not clock.pauses:
            raise InvalidState(f"本事项的办理期限不得中止（{clock.pause_basis}）",
                               code="pause_not_allowed", details={"basis": str(clock.pause_basis)})
        text = written_reasons(reason, "中止计时的原因")
        app.pauses.append(ClockPause(reason=text, started_at=utcnow(), by_id=user.id))
        app.paused = True
        recompute_due(quanke, session, app)
        return {"reason": text}
    return transition(quanke, actor, app_id, "pause", body)


def resume(quanke, actor: Actor, app_id: int) -> Application:
    """Restart the clock (恢复计时); the due date moves by the paused working days."""
    def body(session, app, who):
        require_claimant_or_lead(who, app, "恢复计时")
        require_state(app, "resume")
        if not app.paused:
            raise InvalidState("计时没有中止", code="not_paused")
        app.pauses[-1].ended_at = utcnow()
        app.paused = False
        recompute_due(quanke, session, app)
        return {"due_date": app.due_date.isoformat() if app.due_date else None}
    return transition(quanke, actor, app_id, "resume", body)


def extend(quanke, actor: Actor, app_id: int, *, days: int, reason: str) -> Application:
    """Extend the deadline once (延长期限), by the department lead, with a reason — only as far
    as the service's statute allows (``LegalClock.extension_days``; 0 = no extension)."""
    def body(session, app, who):
        user = require_approver(who, app, "延长期限", lead=True)
        require_state(app, "extend")
        clock = clock_of(quanke, app)
        basis = {"basis": str(clock.extension_basis)}
        if not clock.extendable:
            raise InvalidState(f"本事项依法不得延长办理期限（{clock.extension_basis}）",
                               code="extension_not_allowed", details=basis)
        if app.extension_days:
            raise InvalidState(f"办理期限只能延长一次（{clock.extension_basis}）", code="already_extended",
                               details=basis)
        limit = clock.extension_days
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= limit:
            raise InvalidInput(f"延长天数应为1至{limit}{clock.unit}（{clock.extension_basis}）",
                               code="invalid_extension", field="days", details=basis)
        text = written_reasons(reason, "延长期限的理由")
        app.extension_days, app.extension_reason, app.extended_by_id = days, text, user.id
        recompute_due(quanke, session, app)
        return {"days": days, "reason": text, "basis": str(clock.extension_basis),
                "due_date": app.due_date.isoformat() if app.due_date else None}
    return transition(quanke, actor, app_id, "extend", body)
