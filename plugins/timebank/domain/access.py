"""Who may do what in the time bank (checked in the operations, not only in views).

* Community time-bank administrators are approvers (or leads) of the ``timebank``
  department. One working at a community station (a centre whose code is a time-bank
  community) manages that community; one at a street or district centre manages all.
* Social workers (全科社工, counter role) file requests for recipients and confirm hours.
* Citizens act for themselves (their holder is their applicant's) or, for confirmation,
  for a recipient they are a registered relative of.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Centre, Citizen, Forbidden, Role, User

from plugins.timebank.models import Holder, Relation
from plugins.timebank.domain.settings import Settings

DEPARTMENT = "timebank"


def actor_key(actor) -> str:
    if isinstance(actor, User):
        return f"user:{actor.id}"
    if isinstance(actor, Citizen):
        return f"citizen:{actor.id}"
    return "system"


def is_staff(actor) -> bool:
    return isinstance(actor, User) and bool(actor.active)


def is_admin(actor) -> bool:
    return is_staff(actor) and (actor.has_role(Role.APPROVER, DEPARTMENT)
                                or actor.has_role(Role.DEPT_LEAD, DEPARTMENT))


def is_social_worker(actor) -> bool:
    return is_staff(actor) and (actor.has_role(Role.COUNTER) or is_admin(actor))


def admin_communities(session: Session, user: User, rules: Settings) -> set[str] | None:
    """Communities ``user`` administers: ``None`` = all of them, empty = none."""
    if not is_admin(user):
        return set()
    centre = session.get(Centre, user.centre_id) if user.centre_id else None
    if centre is not None and rules.is_community(centre.code):
        return {centre.code}
    return None


def require_admin(session: Session, actor, rules: Settings, community: str | None = None,
                  what: str = "办理") -> User:
    if not is_admin(actor):
        raise Forbidden(f"只有社区时间银行管理员可以{what}", code="forbidden_role")
    scope = admin_communities(session, actor, rules)
    if community is not None and scope is not None and community not in scope:
        raise Forbidden(f"您只能管理本社区（{'、'.join(sorted(scope))}）的时间银行事务",
                        code="other_community")
    return actor


def require_social_worker(actor, what: str = "办理") -> User:
    if not is_social_worker(actor):
        raise Forbidden(f"只有社工或时间银行管理员可以{what}", code="forbidden_role")
    return actor


def holder_of(session: Session, actor) -> Holder | None:
    """The holder a signed-in citizen is (None for staff or a citizen without one)."""
    if not isinstance(actor, Citizen) or actor.applicant_id is None:
        return None
    return session.scalar(select(Holder).where(Holder.applicant_id == actor.applicant_id))


def is_relative(session: Session, holder_id: int, other_id: int) -> str | None:
    """The relation of ``other`` to ``holder`` (e.g. ``"child"``), or None."""
    return session.scalar(select(Relation.relation).where(Relation.holder_id == holder_id,
                                                          Relation.relative_id == other_id))


def require_self_or_staff(session: Session, actor, holder: Holder, what: str) -> str:
    """``"self"`` for the holder's own citizen account, ``"staff"`` for a social worker."""
    own = holder_of(session, actor)
    if own is not None and own.id == holder.id:
        return "self"
    if is_social_worker(actor):
        return "staff"
    raise Forbidden(f"只有本人或社工可以{what}", code="forbidden_role")
