"""The department queue's claims: claim (认领), release (退回待认领), assign (分派)."""
from __future__ import annotations
import logging
from core.platform.clock import now as utcnow
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState
from core.platform.models import (Application, Role, State, User)
from core.approval.powers import handled_for_applicant, require_approver
from core.platform.actors import Actor
from core.statemachine.guards import require_staff
from core.statemachine.states import require_state
from core.statemachine.transitions import transition
log = logging.getLogger(__name__)


def claim(quanke, actor: Actor, app_id: int) -> Application:
    """Claim (认领) an accepted application; exclusive — a second claimer gets a conflict."""
    def body(session, app, who):
        user = require_approver(who, app, "认领")
        if app.state == State.IN_REVIEW.value and app.claimed_by_id and app.claimed_by_id != user.id:
            other = session.get(User, app.claimed_by_id)
            raise Conflict(f"该申请已被{other.name if other else '他人'}认领", code="already_claimed")
        require_state(app, "claim")
        if app.paused:
            raise InvalidState("计时已中止，恢复后再认领", code="clock_paused")
        app.state, app.claimed_by_id, app.claimed_at = State.IN_REVIEW.value, user.id, utcnow()
        return {}
    return transition(quanke, actor, app_id, "claim", body)


def release(quanke, actor: Actor, app_id: int) -> Application:
    """Release (退回待认领) a claimed application back to the department queue."""
    def body(session, app, who):
        require_state(app, "release")
        user = require_staff(who, "退回")
        if app.claimed_by_id != user.id:
            require_approver(who, app, "退回他人认领的申请", lead=True)
        else:
            require_approver(who, app, "退回")
        previous = app.claimed_by_id
        app.state, app.claimed_by_id, app.claimed_at = State.ACCEPTED.value, None, None
        return {"released_from": previous}
    return transition(quanke, actor, app_id, "release", body)


def assign(quanke, actor: Actor, app_id: int, *, approver_id: int) -> Application:
    """Assign or reassign (分派) to an approver of the department; department lead only."""
    def body(session, app, who):
        require_approver(who, app, "分派", lead=True)
        require_state(app, "assign")
        target = session.get(User, approver_id)
        if target is None or not target.active or not target.has_role(Role.APPROVER, app.department_code):
            raise InvalidInput("被分派人不是该部门的审批人员", code="invalid_assignee",
                               field="approver_id")
        if handled_for_applicant(app, target):
            raise Forbidden("不能分派给办理过该申请受理环节的人员（受审分离）", code="segregation_of_duties")
        previous = app.claimed_by_id
        app.state, app.claimed_by_id, app.claimed_at = State.IN_REVIEW.value, target.id, utcnow()
        return {"assignee": target.id, "previous": previous}
    return transition(quanke, actor, app_id, "assign", body)
