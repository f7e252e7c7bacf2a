"""Satisfaction ratings (好差评) and the follow-up a bad rating opens for the centre admin.

Five levels, 5 = 非常满意 … 1 = 非常不满意, with an optional comment; one rating per
application. A rating of 2 or less opens a follow-up item (差评整改) for the admin of the
centre that handled the application, due within ``FOLLOW_UP_WORKING_DAYS`` working days.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (Date, ForeignKey, Integer, String, Text, UniqueConstraint, select)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.platform import audit
from core.platform.clock import local_date, now
from core.deadlines import add_working_days
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.db import Base, UTCDateTime
from core.platform.models import Application, Citizen, Role, State, User

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_AT_OR_BELOW = 2
FOLLOW_UP_WORKING_DAYS = 3
#: States after which the service counts as given and can be rated.
RATEABLE = frozenset({State.ACCEPTED, State.IN_REVIEW, State.APPROVED, State.REJECTED,
                      State.ISSUED, State.DELIVERED, State.NOT_ACCEPTED,
                      State.CORRECTION_REQUESTED})


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("application_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(96))
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))  # counter / portal
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, index=True)

    @property
    def label(self) -> str:
        return LEVELS.get(self.level, str(self.level))


class FollowUp(Base):
    """A bad rating to be followed up by the centre admin (差评回访整改)."""

    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open / closed
    resolution: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    rating: Mapped[Rating] = relationship()
    application: Mapped[Application] = relationship()


def rate(quanke, session: Session, actor, application_id: int, *, level, comment: str = "",
         at: dt.datetime | None = None) -> Rating:
    """Record the citizen's rating; ``actor`` is the citizen (portal) or the counter worker
    whose second screen the citizen used (counter)."""
    at = at or now()
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound("申请不存在", code="application_not_found")
    if isinstance(actor, Citizen):
        if app.citizen_id != actor.id:
            raise NotFound("申请不存在", code="application_not_found")
        channel, staff_id, who = "portal", None, f"citizen:{actor.id}"
    elif isinstance(actor, User) and actor.active and actor.has_role(Role.COUNTER):
        if app.centre_id != actor.centre_id and not _delivered_here(session, app, actor):
            raise Forbidden("只能为本中心办理的事项评价", code="forbidden_role")
        channel, staff_id, who = "counter", actor.id, f"user:{actor.id}"
    else:
        raise Forbidden("无权评价", code="forbidden_role")
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise InvalidInput("请选择评价等级", code="invalid_rating", field="level") from None
    if level not in LEVELS:
        raise InvalidInput("评价等级应为1至5", code="invalid_rating", field="level")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise InvalidInput("评价内容最多1000字", code="comment_too_long", field="comment")
    if State(app.state) not in RATEABLE:
        raise InvalidState("办理后才能评价", code="not_rateable")
    if session.scalar(select(Rating.id).where(Rating.application_id == app.id)) is not None:
        raise Conflict("该事项已评价，感谢您的反馈", code="already_rated")
    rating = Rating(application_id=app.id, centre_id=app.centre_id, service_code=app.service_code,
                    level=level, comment=comment, channel=channel, staff_id=staff_id, at=at)
    session.add(rating)
    session.flush()
    data = {"level": level, "channel": channel}
    if level <= BAD_AT_OR_BELOW:
        due = add_working_days(quanke.calendar(session), local_date(at), FOLLOW_UP_WORKING_DAYS)
        follow = FollowUp(rating_id=rating.id, centre_id=app.centre_id, application_id=app.id,
                          due_date=due, created_at=at)
        session.add(follow)
        session.flush()
        data["follow_up"] = follow.id
    audit.record(session, actor=who, action="rated", object_type="application",
                 object_id=app.id, application_id=app.id, subject=app.applicant.id_number,
                 data=data, at=at)
    return rating


def _delivered_here(session: Session, app: Application, user: User) -> bool:
    from core.platform.models import Delivery
    return session.scalar(select(Delivery.id).where(Delivery.application_id == app.id,
                                                    Delivery.centre_id == user.centre_id)) is not None


def rating_for(session: Session, application_id: int) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.application_id == application_id))


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


def close_follow_up(session: Session, user, follow_up_id: int, *, resolution: str) -> FollowUp:
    user = _admin(user)
    item = session.get(FollowUp, follow_up_id)
    if item is None or (not user.has_role(Role.SYS_ADMIN) and item.centre_id != user.centre_id):
        raise NotFound("回访事项不存在", code="follow_up_not_found")
    if item.status != "open":
        raise InvalidState("该回访事项已办结", code="already_closed")
    text = (resolution or "").strip()
    if not text:
        raise InvalidInput("请填写回访整改情况", code="resolution_required", field="resolution")
    if len(text) > 4000:
        raise InvalidInput("回访整改情况过长（最多4000字）", code="resolution_too_long", field="resolution")
    item.status, item.resolution, item.closed_by_id, item.closed_at = "closed", text, user.id, now()
    audit.record(session, actor=f"user:{user.id}", action="follow_up_closed",
                 object_type="follow_up", object_id=item.id, application_id=item.application_id,
                 data={"resolution": text})
    return item
