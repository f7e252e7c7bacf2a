"""Offers: proposing a request to volunteers from the matching list, a volunteer (or the
administrator on the telephone) accepting it, giving it to a team, declining an offer."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from core.api import (
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    local,
    now,
    record_audit,
)
from plugins.timebank.domain import access
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.requests.filing import STATUS_LABELS, _lock_request
from plugins.timebank.domain.settings import settings
from plugins.timebank.models import Holder, Offer, ServiceRequest, Team, Volunteer


def propose(quanke, actor, request_id: int, volunteer_ids, *, ranking=None) -> list[int]:
    """Send the request to volunteers chosen from the matching list (offers)."""
    rules = settings(quanke)
    ranks = {c.volunteer_id: (i + 1, c.reasons) for i, c in enumerate(ranking or [])}
    with quanke.db.session() as session:
        request = _lock_request(session, request_id)
        access.require_admin(session, actor, rules, request.community, "派单")
        if request.status != "open":
            raise InvalidState(f"服务需求当前为“{STATUS_LABELS[request.status]}”，不能再派单", code="request_not_open")
        ids = sorted(set(volunteer_ids))
        if not ids:
            raise InvalidInput("请选择志愿者", code="volunteers_required", field="volunteer_ids")
        found = session.scalars(select(Volunteer).where(Volunteer.id.in_(ids), Volunteer.status == "active")).all()
        if len(found) != len(ids):
            raise InvalidInput("所选志愿者不存在或已退出", code="volunteer_not_found")
        if any(v.holder_id == request.recipient_id for v in found):
            raise InvalidInput("服务对象不能为自己服务", code="self_service")
        existing = set(session.scalars(select(Offer.volunteer_id).where(Offer.request_id == request.id)))
        created = []
        for v in found:
            if v.id in existing:
                continue
            rank, reasons = ranks.get(v.id, (0, []))
            offer = Offer(request_id=request.id, volunteer_id=v.id, rank=rank, reasons=reasons,
                          offered_by=access.actor_key(actor))
            session.add(offer)
            holder = session.get(Holder, v.holder_id)
            tell(session, holder, "offer", "有新的服务需求",
                 f"服务需求{request.number}（{local(request.window_start):%m月%d日 %H:%M}）邀请您参加，"
                 "请登录时间银行查看并接单。")
            created.append(v.id)
        session.flush()
        record_audit(session, actor=access.actor_key(actor), action="timebank.offers_sent",
                     object_type="tb_request", object_id=request.id, data={"volunteers": created})
        return created


def accept(quanke, actor, request_id: int, volunteer_id: int, *, at: dt.datetime | None = None) -> ServiceRequest:
    """A volunteer takes the request (first come wins): the volunteer in the portal, or
    the administrator recording a telephone acceptance."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        request = _lock_request(session, request_id)
        volunteer = session.get(Volunteer, volunteer_id)
        if volunteer is None or volunteer.status != "active":
            raise NotFound("志愿者不存在或已退出", code="volunteer_not_found")
        own = access.holder_of(session, actor)
        if own is not None and own.id == volunteer.holder_id:
            offered = session.scalar(select(Offer).where(Offer.request_id == request.id,
                                                         Offer.volunteer_id == volunteer.id))
            if offered is None:
                raise Forbidden("该服务需求没有派给您", code="not_offered")
            how = "volunteer"
        else:
            access.require_admin(session, actor, rules, request.community, "登记接单")
            how = "admin"
        if request.status != "open":
            raise Conflict("该服务需求已被接单或已结束", code="request_taken")
        if volunteer.holder_id == request.recipient_id:
            raise InvalidInput("服务对象不能为自己服务", code="self_service")
        clash = session.scalar(select(ServiceRequest.number).where(
            ServiceRequest.volunteer_id == volunteer.id, ServiceRequest.status == "assigned",
            ServiceRequest.window_start < request.window_end, ServiceRequest.window_end > request.window_start))
        if clash:
            raise Conflict(f"该志愿者在同一时间已接服务需求 {clash}", code="volunteer_busy")
        at = at or now()
        request.status, request.volunteer_id, request.provider_id, request.accepted_at = (
            "assigned", volunteer.id, volunteer.holder_id, at)
        session.execute(update(Offer).where(Offer.request_id == request.id, Offer.volunteer_id == volunteer.id)
                        .values(status="accepted", answered_at=at))
        session.execute(update(Offer).where(Offer.request_id == request.id, Offer.volunteer_id != volunteer.id,
                                            Offer.status == "offered").values(status="closed"))
        recipient = session.get(Holder, request.recipient_id)
        tell(session, recipient, "accepted", "服务已有人接单",
             f"您的服务需求{request.number}已由志愿者{volunteer.number}接单，"
             f"将于{local(request.window_start):%m月%d日 %H:%M}上门服务。")
        record_audit(session, actor=access.actor_key(actor), action="timebank.request_accepted",
                     object_type="tb_request", object_id=request.id, subject=recipient.subject,
                     data={"volunteer": volunteer.id, "by": how}, at=at)
        return request


def assign_team(quanke, actor, request_id: int, team_id: int) -> ServiceRequest:
    """Give the request to a team (the team's account receives the hours)."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        request = _lock_request(session, request_id)
        access.require_admin(session, actor, rules, request.community, "派给团队")
        team = session.get(Team, team_id)
        if team is None or team.status != "active":
            raise NotFound("团队不存在或已解散", code="team_not_found")
        if request.status != "open":
            raise Conflict("该服务需求已被接单或已结束", code="request_taken")
        request.status, request.provider_id, request.accepted_at = "assigned", team.holder_id, now()
        request.volunteer_id = team.leader_id
        session.execute(update(Offer).where(Offer.request_id == request.id, Offer.status == "offered")
                        .values(status="closed"))
        record_audit(session, actor=access.actor_key(actor), action="timebank.request_accepted",
                     object_type="tb_request", object_id=request.id, data={"team": team.id, "by": "admin"})
        return request


def decline(quanke, actor, request_id: int, volunteer_id: int) -> None:
    with quanke.db.session() as session:
        offer = session.scalar(select(Offer).where(Offer.request_id == request_id,
                                                   Offer.volunteer_id == volunteer_id))
        if offer is None:
            raise NotFound("没有这条派单", code="offer_not_found")
        own = access.holder_of(session, actor)
        volunteer = session.get(Volunteer, volunteer_id)
        if own is None or volunteer is None or own.id != volunteer.holder_id:
            raise Forbidden("只有被派单的志愿者本人可以婉拒", code="forbidden_role")
        if offer.status != "offered":
            raise InvalidState("该派单已处理", code="offer_answered")
        offer.status, offer.answered_at = "declined", now()
        record_audit(session, actor=access.actor_key(actor), action="timebank.offer_declined",
                     object_type="tb_request", object_id=request_id, data={"volunteer": volunteer_id})

