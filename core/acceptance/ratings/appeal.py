"""Appealing a mistaken rating (申诉复核): the worker a rating names files an appeal with
reasons; the admin of the rating's centre upholds it — the rating is then marked
``appeal_upheld`` and left out of the satisfaction statistics, which say how many were left
out — or rejects it, with reasons. One appeal per rating; every step is audited."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.acceptance.ratings.models import APPEAL_UPHELD, COUNTED, Rating, RatingAppeal
from core.contract.legal_clock import Citation
from core.platform import audit, inputs
from core.platform.clock import now
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Role, User

APPEAL_REASONS_MAX = 2000
#: Ratings below this level lower the good rate (满意率 counts 满意 and 非常满意); only those
#: are worth appealing — a worker has no cause to take a good rating out of the figures.
APPEALABLE_BELOW = 4
#: Shown on the appeal pages: no statute in the project's law provides for this procedure.
APPEAL_BASIS = Citation.silent(
    "法律、法规未规定政务服务评价的申诉复核：由被评价的工作人员提出、评价所属中心的管理员复核、"
    "每条评价限申诉一次，为本系统的工作规则")


def _staff(user) -> User:
    if not isinstance(user, User) or not user.active:
        raise Forbidden("只有工作人员可以申诉", code="forbidden_role")
    return user


def _reasons(text: str, *, field: str, code: str, what: str) -> str:
    text = inputs.check_text((text or "").strip(), field=field)
    if not text:
        raise InvalidInput(f"请写明{what}", code=code, field=field)
    if len(text) > APPEAL_REASONS_MAX:
        raise InvalidInput(f"{what}过长（最多{APPEAL_REASONS_MAX}字）", code="appeal_reasons_too_long", field=field)
    return text


def ratings_of_staff(session: Session, user, *, limit: int = 200) -> list[Rating]:
    """The ratings that name this worker, newest first (each with its appeal, if any)."""
    user = _staff(user)
    return list(session.scalars(select(Rating).where(Rating.staff_id == user.id)
                                .order_by(Rating.at.desc(), Rating.id.desc()).limit(limit)))


def file_appeal(session: Session, user, rating_id: int, *, reasons: str,
                at: dt.datetime | None = None) -> RatingAppeal:
    """The rated worker appeals a rating (申诉); the admin of its centre will decide."""
    user = _staff(user)
    rating = session.get(Rating, rating_id)
    if rating is None:
        raise NotFound("评价不存在", code="rating_not_found")
    if rating.staff_id != user.id:
        raise Forbidden("只有被评价的工作人员本人可以申诉", code="not_rated_staff")
    if rating.appeal is not None:
        raise Conflict("该评价已申诉过，每条评价只能申诉一次", code="already_appealed")
    if rating.level >= APPEALABLE_BELOW:
        raise InvalidState("满意及以上的评价无需申诉", code="not_appealable")
    if rating.status != COUNTED:
        raise InvalidState("该评价已不计入统计", code="not_appealable")
    if rating.centre_id is None:
        raise InvalidState("该评价没有所属中心，无人复核", code="not_appealable")
    text = _reasons(reasons, field="reasons", code="appeal_reasons_required", what="申诉理由")
    appeal = RatingAppeal(rating_id=rating.id, centre_id=rating.centre_id, filed_by_id=user.id,
                          reasons=text, filed_at=at or now())
    session.add(appeal)
    try:
        session.flush()
    except IntegrityError:  # the same appeal sent twice at once (unique rating_id)
        session.rollback()
        raise Conflict("该评价已申诉过，每条评价只能申诉一次", code="already_appealed") from None
    audit.record(session, actor=f"user:{user.id}", action="rating_appealed",
                 object_type="rating", object_id=rating.id, application_id=rating.application_id,
                 data={"appeal": appeal.id, "reasons": text}, at=appeal.filed_at)
    return appeal


def _centre_admin(user) -> User:
    if not isinstance(user, User) or not user.active or not user.has_role(Role.CENTRE_ADMIN):
        raise Forbidden("只有中心管理员可以复核申诉", code="forbidden_role")
    return user


def appeal_queue(session: Session, user, *, status: str | None = "pending") -> list[RatingAppeal]:
    """The appeals of the admin's centre, oldest pending first."""
    user = _centre_admin(user)
    stmt = select(RatingAppeal).where(RatingAppeal.centre_id == (user.centre_id or -1))
    if status:
        stmt = stmt.where(RatingAppeal.status == status)
    return list(session.scalars(stmt.order_by(RatingAppeal.filed_at, RatingAppeal.id).limit(500)))


def decide_appeal(session: Session, user, appeal_id: int, *, uphold: bool,
                  reasons: str) -> RatingAppeal:
    """Uphold (the rating leaves the statistics) or reject an appeal, with written reasons."""
    user = _centre_admin(user)
    appeal = session.get(RatingAppeal, appeal_id)
    if appeal is None or appeal.centre_id != user.centre_id:
        raise NotFound("申诉不存在", code="appeal_not_found")
    if appeal.filed_by_id == user.id:  # nobody reviews their own case
        raise Forbidden("不能复核本人提出的申诉", code="own_appeal")
    if appeal.status != "pending":
        raise InvalidState("该申诉已复核", code="appeal_already_decided")
    text = _reasons(reasons, field="reasons", code="decision_reasons_required", what="复核意见")
    status = "upheld" if uphold else "rejected"
    # Compare-and-set: of two admins deciding at once, one decision stands.
    done = session.execute(update(RatingAppeal)
                           .where(RatingAppeal.id == appeal.id, RatingAppeal.status == "pending")
                           .values(status=status, decided_by_id=user.id, decision_reasons=text,
                                   decided_at=now())
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise InvalidState("该申诉已复核", code="appeal_already_decided")
    if uphold:
        session.execute(update(Rating).where(Rating.id == appeal.rating_id)
                        .values(status=APPEAL_UPHELD).execution_options(synchronize_session=False))
    session.refresh(appeal)
    session.refresh(appeal.rating)
    audit.record(session, actor=f"user:{user.id}", action="rating_appeal_decided",
                 object_type="rating", object_id=appeal.rating_id,
                 application_id=appeal.rating.application_id,
                 data={"appeal": appeal.id, "decision": status, "reasons": text})
    return appeal
