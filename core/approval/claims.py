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


def release(quanke, actor: Actor, app_id: int, *, to_user_id: int | None = None,
            note: str = "") -> Application:
    """Release (退回待认领) a claimed application, naming who takes it next (首问负责: never
    to nobody): a named approver of the department (``to_user_id``), or the department's
    queue, which the audit records as the next owner."""
    def body(session, app, who):
        require_state(app, "release")
        user = require_staff(who, "退回")
        if app.claimed_by_id != user.id:
            require_approver(who, app, "退回他人认领的申请", lead=True)
        else:
            require_approver(who, app, "退回")
        previous = app.claimed_by_id
        text = (note or "").strip()[:1000]
        if to_user_id is not None:
            target = _assignable(session, app, to_user_id)
            if target.id == previous:
                raise InvalidInput("接手人与当前认领人相同", code="same_owner", field="to_user_id")
            app.state, app.claimed_by_id, app.claimed_at = State.IN_REVIEW.value, target.id, utcnow()
            return {"released_from": previous, "next_owner": target.name, "to_user_id": target.id,
                    "note": text}
        app.state, app.claimed_by_id, app.claimed_at = State.ACCEPTED.value, None, None
        return {"released_from": previous, "next_owner": f"部门队列 {app.department_code}",
                "to_department": app.department_code, "note": text}
    return transition(quanke, actor, app_id, "release", body)


def _assignable(session, app: Application, user_id: int) -> User:
    target = session.get(User, user_id)
    if target is None or not target.active or not target.has_role(Role.APPROVER, app.department_code):
        raise InvalidInput("被分派人不是该部门的审批人员", code="invalid_assignee", field="approver_id")
    if handled_for_applicant(app, target):
        raise Forbidden("不能分派给办理过该申请受理环节的人员（受审分离）", code="segregation_of_duties")
    return target


def assign(quanke, actor: Actor, app_id: int, *, approver_id: int) -> Application:
    """Assign or reassign (分派) to an approver of the department; department lead only."""
    def body(session, app, who):
        require_approver(who, app, "分派", lead=True)
        require_state(app, "assign")
        target = _assignable(session, app, approver_id)
        previous = app.claimed_by_id
        app.state, app.claimed_by_id, app.claimed_at = State.IN_REVIEW.value, target.id, utcnow()
        return {"assignee": target.id, "previous": previous}
    return transition(quanke, actor, app_id, "assign", body)
