"""Who may decide (审批权): approvers and leads of the service's department — never a
person who worked the application on the applicant's side (受审分离): whoever filed it,
accepted it, or handled it at the counter (returned it for correction, refused it, added
materials, took the resubmission, withdrew it on the applicant's behalf).
"""
from __future__ import annotations
import logging

from sqlalchemy import select
from sqlalchemy.orm import object_session

from core.platform.audit import AuditEvent
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
    if handled_for_applicant(app, user):
        raise Forbidden("办理过该申请受理环节（登记、受理、补正、补材料等）的人员不得审批（受审分离）",
                        code="segregation_of_duties")
    return user


#: Audited actions of the applicant's side (core.acceptance): whoever did one of them on an
#: application may not claim, decide, be assigned or issue it.
APPLICANT_SIDE_ACTIONS = ("file", "submit", "update_draft", "attach_material", "accept", "return",
                          "refuse", "resubmit", "withdraw", "identity_step")


def handled_for_applicant(app: Application, user: User) -> bool:
    """Did ``user`` file, accept or otherwise handle ``app`` on the applicant's side?"""
    if user.id in (app.filed_by_id, app.accepted_by_id):
        return True
    session = object_session(app)
    if session is None:
        return False
    return session.scalar(select(AuditEvent.id).where(
        AuditEvent.application_id == app.id, AuditEvent.actor == f"user:{user.id}",
        AuditEvent.action.in_(APPLICANT_SIDE_ACTIONS)).limit(1)) is not None


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
