"""Recording a rating (评价): five levels, 5 = 非常满意 … 1 = 非常不满意, an optional comment,
one rating per subject. A rating of 2 or less opens a follow-up (差评整改) for the admin of
the centre that gave the service, due within ``FOLLOW_UP_WORKING_DAYS`` working days.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.acceptance.ratings.models import (BAD_AT_OR_BELOW, FOLLOW_UP_WORKING_DAYS, LEVELS,
                                            FollowUp, Rating)
from core.acceptance.ratings.subjects import kind_of
from core.acceptance.tickets import QueueTicket
from core.deadlines import add_working_days
from core.platform import audit, inputs
from core.platform.clock import local_date, now, today
from core.platform.errors import Conflict, InvalidInput, InvalidState
from core.platform.models import User

COMMENT_MAX = 1000


def rate_subject(quanke, session: Session, actor, *, kind: str, subject_id: int, level,
                 comment: str = "", at: dt.datetime | None = None) -> Rating:
    """Record a rating of one subject (``kind`` = "application", "ticket", or a kind added
    with :func:`register_subject_kind`); ``actor`` is the citizen (portal) or the counter
    worker whose second screen the citizen used (counter). Audited in the caller's transaction."""
    at = at or now()
    spec = kind_of(kind)
    target = spec.target(session, actor, subject_id)
    level = _level(level)
    comment = inputs.check_text((comment or "").strip(), field="comment")
    if len(comment) > COMMENT_MAX:
        raise InvalidInput("评价内容最多1000字", code="comment_too_long", field="comment")
    if target.not_rateable:
        raise InvalidState(target.not_rateable, code="not_rateable")
    column = getattr(Rating, target.column)
    if session.scalar(select(Rating.id).where(column == target.subject_id)) is not None:
        raise Conflict(target.already_rated, code="already_rated")
    rating = Rating(centre_id=target.centre_id, service_code=target.service_code, level=level,
                    comment=comment, channel=target.channel, staff_id=target.staff_id, at=at,
                    **{target.column: target.subject_id})
    session.add(rating)
    try:
        session.flush()
    except IntegrityError:  # rated at the same moment elsewhere (the unique subject column)
        session.rollback()
        raise Conflict(target.already_rated, code="already_rated") from None
    data = {"level": level, "channel": target.channel, "rating": rating.id}
    if level <= BAD_AT_OR_BELOW:
        due = add_working_days(quanke.calendar(session), local_date(at), FOLLOW_UP_WORKING_DAYS)
        follow = FollowUp(rating_id=rating.id, centre_id=target.centre_id,
                          application_id=target.application_id, due_date=due, created_at=at)
        session.add(follow)
        session.flush()
        data["follow_up"] = follow.id
    audit.record(session, actor=target.actor, action="rated", object_type=target.object_type,
                 object_id=target.subject_id, application_id=target.application_id,
                 subject=target.audit_subject, data=data, at=at)
    return rating


def rate(quanke, session: Session, actor, application_id: int, *, level, comment: str = "",
         at: dt.datetime | None = None) -> Rating:
    """Rate an application (the subject kind "application")."""
    return rate_subject(quanke, session, actor, kind="application", subject_id=application_id,
                        level=level, comment=comment, at=at)


def _level(level) -> int:
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise InvalidInput("请选择评价等级", code="invalid_rating", field="level") from None
    if level not in LEVELS:
        raise InvalidInput("评价等级应为1至5", code="invalid_rating", field="level")
    return level


def rating_for(session: Session, application_id: int) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.application_id == application_id))


def ratings_for_tickets(session: Session, ticket_ids) -> dict[int, Rating]:
    """ticket id → its rating, for the tickets that have one."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    return {r.ticket_id: r for r in session.scalars(select(Rating).where(Rating.ticket_id.in_(ids)))}


def tickets_to_rate(session: Session, user: User, *, limit: int = 5) -> list[QueueTicket]:
    """The numbers this worker served today that the citizen has not rated yet, newest first
    (the counter's queue screen offers the second screen for them)."""
    rated = select(Rating.ticket_id).where(Rating.ticket_id.is_not(None))
    return list(session.scalars(
        select(QueueTicket).where(QueueTicket.called_by_id == user.id, QueueTicket.day == today(),
                                  QueueTicket.status == "done", QueueTicket.id.not_in(rated))
        .order_by(QueueTicket.finished_at.desc(), QueueTicket.id.desc()).limit(limit)))
