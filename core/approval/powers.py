"""Who may decide (审批权): approvers and leads of the service's department — never the
person who accepted the application (受审分离).
"""
from __future__ import annotations
import logging
from core.platform.errors import Forbidden
from core.platform.models import (Application, Role, User)
from core.platform.actors import Actor
from core.statemachine.guards import require_staff
log = logging.getLogger(__name__)


def require_approver(actor: Actor, app: Application, what: str, *, lead: bool = False) -> User:
    user = require_staff(actor, what)
    role = Role.DEPT_LEAD if lead else Role.APPROVER
    if not user.has_role(role, app.department_code):
        who = "部门负责人" if lead else "审批人员"
        raise Forbidden(f"只有该事项审批部门的{who}可以{what}", code="forbidden_role")
    if app.accepted_by_id == user.id:
        raise Forbidden("受理人不得审批自己受理的申请（受审分离）", code="segregation_of_duties")
    return user


def require_claimant_or_lead(actor: Actor, app: Application, what: str) -> User:
    user = require_staff(actor, what)
    if app.claimed_by_id == user.id and user.has_role(Role.APPROVER, app.department_code):
        return require_approver(actor, app, what)
    if user.has_role(Role.DEPT_LEAD, app.department_code):
        return require_approver(actor, app, what, lead=True)
    if app.claimed_by_id is None and user.has_role(Role.APPROVER, app.department_code):
        return require_approver(actor, app, what)
    raise Forbidden(f"只有认领人或部门负责人可以{what}", code="forbidden_role")


def require_decider(who: Actor, app: Application, what: str) -> User:
    user = require_approver(who, app, what)
    if app.claimed_by_id != user.id:
        raise Forbidden("请先认领，只有认领人可以作出决定", code="not_claimant")
    return user
