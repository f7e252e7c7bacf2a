"""Following up a bad rating (差评回访整改): the centre admin's list, and closing an item with
a written resolution that is then sent to the rater (SMS through the outbox, in the same
transaction: the message goes out if and only if the closing committed)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.acceptance.ratings.models import FollowUp, Rating
from core.acceptance.ratings.subjects import Rater, kind_of
from core.contract.legal_clock import Citation
from core.jobs import outbox
from core.platform import audit, inputs
from core.platform.clock import now
from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Role, User

RESOLUTION_MAX = 4000
#: An SMS carries the start of the resolution; the whole text is on the portal.
SMS_RESOLUTION_CHARS = 200
#: Shown where the due date is: no statute in the project's law sets this period.
FOLLOW_UP_BASIS = Citation.silent(
    "法律、法规未规定差评回访的期限：3个工作日为本中心的承诺时限（参照投诉“3个工作日内基本办结”的做法）")


def _admin(user) -> User:
    if not isinstance(user, User) or not user.active or not (
            user.has_role(Role.CENTRE_ADMIN) or user.has_role(Role.SYS_ADMIN)):
        raise Forbidden("只有中心管理员可以处理差评回访", code="forbidden_role")
    return user


def follow_ups(session: Session, user, *, status: str | None = "open") -> list[FollowUp]:
    user = _admin(user)
    stmt = select(FollowUp).order_by(FollowUp.status.desc(), FollowUp.due_date, FollowUp.id)
    if not user.has_role(Role.SYS_ADMIN):
        stmt = stmt.where(FollowUp.centre_id == user.centre_id)
    if status:
        stmt = stmt.where(FollowUp.status == status)
    return list(session.scalars(stmt.limit(500)))


def rater_of(session: Session, rating: Rating) -> Rater | None:
    """Whom closing the rating's follow-up will tell, or None (nobody left a phone)."""
    return kind_of(rating.kind).rater(session, rating)


def describe(session: Session, rating: Rating) -> str:
    """The rated subject in a few words (申请 A… / 取号 A001（日期）)."""
    return kind_of(rating.kind).describe(session, rating)


def close_follow_up(session: Session, user, follow_up_id: int, *, resolution: str) -> FollowUp:
    """Close a follow-up with what was done; the rater is told it by SMS where they left a
    phone (``told`` records "sms" or "none"). Without a written resolution nothing changes."""
    user = _admin(user)
    item = session.get(FollowUp, follow_up_id)
    if item is None or (not user.has_role(Role.SYS_ADMIN) and item.centre_id != user.centre_id):
        raise NotFound("回访事项不存在", code="follow_up_not_found")
    if item.status != "open":
        raise InvalidState("该回访事项已办结", code="already_closed")
    text = inputs.check_text((resolution or "").strip(), field="resolution")
    if not text:
        raise InvalidInput("请填写回访整改情况", code="resolution_required", field="resolution")
    if len(text) > RESOLUTION_MAX:
        raise InvalidInput("回访整改情况过长（最多4000字）", code="resolution_too_long", field="resolution")
    rater = rater_of(session, item.rating)
    told = "sms" if rater else "none"
    closed_at = now()
    # Compare-and-set: of two admins closing at once, one wins and only one SMS is written.
    done = session.execute(update(FollowUp).where(FollowUp.id == item.id, FollowUp.status == "open")
                           .values(status="closed", resolution=text, closed_by_id=user.id,
                                   closed_at=closed_at, told=told)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise InvalidState("该回访事项已办结", code="already_closed")
    session.refresh(item)
    if rater:
        short = text if len(text) <= SMS_RESOLUTION_CHARS else text[:SMS_RESOLUTION_CHARS] + "……"
        outbox.add(session, event="follow_up_closed", application_id=item.application_id,
                   recipient_kind=rater.recipient_kind, recipient=rater.phone, subject="差评整改结果",
                   body=f"{rater.opening}已回访整改：{short}")
    audit.record(session, actor=f"user:{user.id}", action="follow_up_closed",
                 object_type="follow_up", object_id=item.id, application_id=item.application_id,
                 data={"resolution": text, "told": told, "rating": item.rating_id})
    return item
