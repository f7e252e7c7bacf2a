"""首问负责制 (first-contact responsibility): every application and every counter enquiry has
an owner — whoever first received it — until that owner hands it over **by name** to a person
or a department queue, with a note. Handovers are audited; nothing is ever ownerless once a
worker has touched it.

* :func:`take_first_contact` — called by the workflow when a worker first handles an
  application nobody owns yet (an online one): that worker becomes its owner;
* :func:`hand_over` — the owner names the next owner (a staff member or a department);
* :func:`record_enquiry`, :func:`answer_enquiry`, :func:`hand_over_enquiry` — a question that
  is not an application, recorded in seconds with its answer or its handover;
* :func:`first_contacts` — what a worker first received, for the counter home (我首问的).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.actors import Actor, actor_key
from core.platform.clock import now as utcnow
from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Application, Department, Enquiry, Role, User
from core.statemachine.guards import require_staff, written_reasons
from core.statemachine.transitions import transition

QUESTION_MAX = 500
ANSWER_MAX = 2000


def take_first_contact(app: Application, user: User) -> None:
    """The first worker to handle an application nobody owns becomes its owner."""
    if app.owner_id is None and app.owner_department is None and isinstance(user, User):
        app.owner_id = user.id


def owner_label(session: Session, owner_id: int | None, owner_department: str | None) -> str:
    """The owner as people read it: a name, or the department's queue."""
    if owner_id is not None:
        user = session.get(User, owner_id)
        return user.name if user else f"#{owner_id}"
    if owner_department:
        department = _department(session, owner_department)
        return f"{department.name if department else owner_department}（部门队列）"
    return ""


def _department(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


def may_hand_over(user: User, owner_id: int | None, owner_department: str | None,
                   centre_id: int | None) -> bool:
    if owner_id is not None and owner_id == user.id:
        return True
    if owner_id is None and owner_department and (
            user.has_role(Role.APPROVER, owner_department) or user.has_role(Role.DEPT_LEAD, owner_department)):
        return True
    # an owner who left or fell ill: the centre's admin reassigns
    return user.has_role(Role.SYS_ADMIN) or (user.has_role(Role.CENTRE_ADMIN) and user.centre_id == centre_id)


def _next_owner(session: Session, to_user_id: int | None, to_department: str | None):
    if (to_user_id is None) == (not to_department):
        raise InvalidInput("请指定接手的人员或部门（二者选一）", code="next_owner_required",
                           field="to_user_id")
    if to_user_id is not None:
        target = session.get(User, to_user_id)
        if target is None or not target.active or not target.roles:
            raise InvalidInput("接手人不是在岗的工作人员", code="invalid_next_owner", field="to_user_id")
        return target.id, None
    if _department(session, to_department) is None:
        raise InvalidInput(f"部门 {to_department} 不存在", code="invalid_next_owner", field="to_department")
    return None, to_department


def hand_over(quanke, actor: Actor, app_id: int, *, to_user_id: int | None = None,
              to_department: str | None = None, note: str) -> Application:
    """Hand an application over (移交) to a named person or department queue, with a note."""
    def body(session, app, who):
        user = require_staff(who, "移交")
        if not may_hand_over(user, app.owner_id, app.owner_department, app.centre_id):
            raise Forbidden("只有首问负责人（或本中心管理员）可以移交", code="not_owner")
        text = written_reasons(note, "移交说明")
        owner_id, department = _next_owner(session, to_user_id, to_department)
        if (owner_id, department) == (app.owner_id, app.owner_department):
            raise InvalidState("接手人与当前负责人相同", code="same_owner")
        before = owner_label(session, app.owner_id, app.owner_department)
        app.owner_id, app.owner_department = owner_id, department
        return {"from_owner": before, "to_owner": owner_label(session, owner_id, department),
                "to_user_id": owner_id, "to_department": department, "note": text}
    return transition(quanke, actor, app_id, "hand_over", body)


# -- enquiries (咨询) ----------------------------------------------------------------------------

def _staff(session: Session, actor: Actor, what: str) -> User:
    # as stored now (roles may have changed since login), in this session
    fresh = session.get(User, actor.id) if isinstance(actor, User) else None
    return require_staff(fresh, what)


def _text(value: str, what: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"请填写{what}", code="text_required", field=what)
    if len(text) > limit:
        raise InvalidInput(f"{what}最多{limit}字", code="text_too_long", field=what)
    return text


def record_enquiry(quanke, session: Session, actor: Actor, *, question: str, answer: str = "",
                   to_user_id: int | None = None, to_department: str | None = None,
                   note: str = "", service_code: str | None = None) -> Enquiry:
    """Record a counter enquiry (登记咨询) with its answer, or hand it over at once."""
    user = _staff(session, actor, "登记咨询")
    if not (user.has_role(Role.COUNTER) or user.has_role(Role.AGENT)):
        raise Forbidden("只有窗口工作人员可以登记咨询", code="forbidden_role")
    question = _text(question, "咨询内容", QUESTION_MAX, required=True)
    answer = _text(answer, "答复", ANSWER_MAX, required=False)
    handing = to_user_id is not None or bool(to_department)
    if not answer and not handing:
        raise InvalidInput("请填写答复，或指定移交的人员或部门", code="answer_or_handover_required",
                           field="answer")
    if service_code and service_code not in quanke.plugins.services:
        raise InvalidInput("未知的办事事项", code="unknown_service", field="service_code")
    enquiry = Enquiry(centre_id=user.centre_id, received_by_id=user.id, owner_id=user.id,
                      question=question, answer=answer, service_code=service_code or None,
                      state="answered" if answer else "handed_over",
                      answered_at=utcnow() if answer else None)
    if not answer:
        enquiry.owner_id, enquiry.owner_department = _next_owner(session, to_user_id, to_department)
        enquiry.handover_note = written_reasons(note, "移交说明")
    session.add(enquiry)
    session.flush()
    audit.record(session, actor=actor_key(user), action="enquiry_recorded", object_type="enquiry",
                 object_id=enquiry.id, data={"state": enquiry.state, "service_code": service_code,
                                             "to_owner": owner_label(session, enquiry.owner_id,
                                                                     enquiry.owner_department)})
    return enquiry


def _enquiry(session: Session, enquiry_id: int) -> Enquiry:
    enquiry = session.get(Enquiry, enquiry_id, with_for_update=True)
    if enquiry is None:
        raise NotFound("咨询记录不存在", code="enquiry_not_found")
    return enquiry


def answer_enquiry(session: Session, actor: Actor, enquiry_id: int, *, answer: str) -> Enquiry:
    """The owner a question was handed to answers it."""
    user = _staff(session, actor, "答复咨询")
    enquiry = _enquiry(session, enquiry_id)
    if enquiry.state == "answered":
        raise InvalidState("该咨询已答复", code="already_answered")
    if not may_hand_over(user, enquiry.owner_id, enquiry.owner_department, enquiry.centre_id):
        raise Forbidden("只有接手的负责人可以答复", code="not_owner")
    enquiry.answer = _text(answer, "答复", ANSWER_MAX, required=True)
    enquiry.state, enquiry.answered_at = "answered", utcnow()
    enquiry.owner_id, enquiry.owner_department = user.id, None
    audit.record(session, actor=actor_key(user), action="enquiry_answered", object_type="enquiry",
                 object_id=enquiry.id, data={})
    return enquiry


def hand_over_enquiry(session: Session, actor: Actor, enquiry_id: int, *, to_user_id: int | None = None,
                      to_department: str | None = None, note: str) -> Enquiry:
    user = _staff(session, actor, "移交咨询")
    enquiry = _enquiry(session, enquiry_id)
    if enquiry.state == "answered":
        raise InvalidState("该咨询已答复，无需移交", code="already_answered")
    if not may_hand_over(user, enquiry.owner_id, enquiry.owner_department, enquiry.centre_id):
        raise Forbidden("只有当前负责人可以移交", code="not_owner")
    text = written_reasons(note, "移交说明")
    before = owner_label(session, enquiry.owner_id, enquiry.owner_department)
    enquiry.owner_id, enquiry.owner_department = _next_owner(session, to_user_id, to_department)
    enquiry.handover_note = text
    audit.record(session, actor=actor_key(user), action="enquiry_handed_over", object_type="enquiry",
                 object_id=enquiry.id, data={"from_owner": before, "note": text,
                                             "to_owner": owner_label(session, enquiry.owner_id,
                                                                     enquiry.owner_department)})
    return enquiry


@dataclass(frozen=True)
class FirstContacts:
    applications: list
    enquiries: list
    waiting_for_me: list      # enquiries handed to me, not answered yet


def first_contacts(session: Session, user: User, *, limit: int = 30) -> FirstContacts:
    """我首问的: applications and enquiries this worker received or owns now."""
    apps = session.scalars(select(Application).where(
        or_(Application.filed_by_id == user.id, Application.owner_id == user.id))
        .order_by(Application.id.desc()).limit(limit)).unique().all()
    enquiries = session.scalars(select(Enquiry).where(Enquiry.received_by_id == user.id)
                                .order_by(Enquiry.id.desc()).limit(limit)).all()
    waiting = session.scalars(select(Enquiry).where(Enquiry.owner_id == user.id,
                                                    Enquiry.state == "handed_over")
                              .order_by(Enquiry.id)).all()
    return FirstContacts(list(apps), list(enquiries), list(waiting))
