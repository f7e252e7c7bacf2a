"""Service requests (服务需求申请单): filing, offers, acceptance, confirmation, follow-up.

Lifecycle (own to the time bank, every step audited)::

    open ─propose/accept─► assigned ─confirm─► confirmed ─follow_up─► rated
      └──────cancel──────────┴─not_served─► cancelled / not_served

The payer's minutes are held in the community's escrow account when the request is filed
(recipient's service bucket, or the donation pool for a needy recipient), so a confirmed
service can always be paid; cancelling releases them. Confirmation is by the recipient, a
registered relative or a social worker — never by the volunteer — only after the time
window has begun, only once, and for at most the planned minutes.
"""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.api import (
    Citizen,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    local,
    now,
    record_audit,
)

from plugins.timebank.domain import access, deposits, ledger
from plugins.timebank.domain.catalog import kind as find_kind
from plugins.timebank.models import Holder, Offer, ServiceRequest, Team, Volunteer
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.settings import Settings, settings

STATUS_LABELS = {"open": "待接单", "assigned": "已接单", "confirmed": "已确认时长", "rated": "已回访",
                 "cancelled": "已取消", "not_served": "未服务"}
PAYERS = {"recipient": "服务对象时间支付", "donation": "社区捐赠池支付", "public": "公益服务（不扣时间）"}
OPEN_STATES = ("open", "assigned")
MAX_DAYS_AHEAD = 90
MAX_DAYS_BACK = 7


def _lock_request(session: Session, request_id: int) -> ServiceRequest:
    stmt = select(ServiceRequest).where(ServiceRequest.id == request_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    request = session.scalar(stmt)
    if request is None:
        raise NotFound("服务需求不存在", code="request_not_found")
    return request


def _aware(value, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise InvalidInput("服务时间不正确", code="invalid_window", field=field)
    return value


def validate_window(start, end, planned: int, rules: Settings, at: dt.datetime) -> None:
    start, end = _aware(start, "window_start"), _aware(end, "window_end")
    if end <= start:
        raise InvalidInput("服务结束时间必须晚于开始时间", code="invalid_window", field="window_end")
    length = int((end - start).total_seconds() // 60)
    if length > rules.max_window_minutes:
        raise InvalidInput(f"一次服务的时间段不能超过{ledger.fmt_minutes(rules.max_window_minutes)}",
                           code="window_too_long", field="window_end")
    if start < at - dt.timedelta(days=MAX_DAYS_BACK) or start > at + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"服务时间应在今天之前{MAX_DAYS_BACK}天至之后{MAX_DAYS_AHEAD}天之内",
                           code="window_out_of_range", field="window_start")
    ledger.require_minutes(planned, field="planned_minutes", what="预计服务时长")
    if planned > length:
        raise InvalidInput("预计服务时长不能超过服务时间段", code="planned_exceeds_window",
                           field="planned_minutes")


def create(quanke, actor, *, recipient_id: int, kind: str, window_start: dt.datetime,
           window_end: dt.datetime, planned_minutes: int, place: str, description: str = "",
           payer: str = "recipient", community: str | None = None,
           at: dt.datetime | None = None) -> ServiceRequest:
    """File a request for a recipient (by the recipient, a relative or a social worker).
    ``at`` is the filing time, for paper forms entered later (补录); default now."""
    rules = settings(quanke)
    at = at or now()
    if at > now():
        raise InvalidInput("填报时间不能晚于现在", code="filed_in_future", field="at")
    validate_window(window_start, window_end, planned_minutes, rules, at)
    place = (place or "").strip()
    if not 2 <= len(place) <= 256:
        raise InvalidInput("请填写服务地点", code="place_required", field="place")
    if payer not in PAYERS:
        raise InvalidInput("支付方式不正确", code="invalid_payer", field="payer")
    with quanke.db.session() as session:
        recipient = session.get(Holder, recipient_id)
        if recipient is None or recipient.kind != "person":
            raise NotFound("服务对象不存在", code="holder_not_found")
        if recipient.status != "active":
            raise InvalidState("服务对象的账户已关闭", code="account_closed")
        community = community or recipient.community
        if not rules.is_community(community):
            raise InvalidInput("服务所在社区不存在", code="unknown_community", field="community")
        own = access.holder_of(session, actor)
        if own is not None and (own.id == recipient.id or access.is_relative(session, recipient.id, own.id)):
            if payer != "recipient":
                raise Forbidden("捐赠池支付或公益服务须由社区管理员登记", code="forbidden_role")
        elif payer == "recipient":
            access.require_social_worker(actor, "代为登记服务需求")
        else:
            access.require_admin(session, actor, rules, community, "安排捐赠池支付或公益服务")
        service_kind = find_kind(session, kind)
        request = ServiceRequest(
            number=f"FW{local(at):%Y%m%d}{secrets.token_hex(3).upper()}", recipient_id=recipient.id,
            community=community, category=service_kind.category, kind=service_kind.code,
            description=(description or "").strip()[:2000], place=place, window_start=window_start,
            window_end=window_end, planned_minutes=planned_minutes, payer=payer, status="open",
            created_by=access.actor_key(actor), created_at=at, held_minutes=0)
        session.add(request)
        session.flush()
        if payer != "public":
            _hold(session, request, recipient, rules, access.actor_key(actor), at)
        record_audit(session, actor=access.actor_key(actor), action="timebank.request_filed",
                     object_type="tb_request", object_id=request.id, subject=recipient.subject,
                     data={"number": request.number, "kind": request.kind, "payer": payer,
                           "planned": planned_minutes, "community": community}, at=at)
        return request


def _payer_account(session: Session, request: ServiceRequest) -> int:
    if request.payer == "recipient":
        return ledger.holder_accounts(session, request.recipient_id)["service"]
    return ledger.community_accounts(session, request.community)["donation"]


def _hold(session: Session, request: ServiceRequest, recipient: Holder, rules: Settings, actor: str,
          at: dt.datetime | None = None) -> None:
    escrow = ledger.community_accounts(session, request.community)["escrow"]
    ledger.post(session, kind="hold", lines=[(_payer_account(session, request), -request.planned_minutes),
                                             (escrow, request.planned_minutes)],
                community=request.community, actor=actor, rules=rules, holder_id=recipient.id,
                minutes=request.planned_minutes, category=request.category, request_id=request.id,
                memo=f"服务需求 {request.number} 预约冻结", subject=recipient.subject, at=at)
    request.held_minutes = request.planned_minutes


def _release(session: Session, request: ServiceRequest, rules: Settings, actor: str, memo: str) -> None:
    if not request.held_minutes:
        return
    escrow = ledger.community_accounts(session, request.community)["escrow"]
    recipient = session.get(Holder, request.recipient_id)
    ledger.post(session, kind="release", lines=[(escrow, -request.held_minutes),
                                                (_payer_account(session, request), request.held_minutes)],
                community=request.community, actor=actor, rules=rules, holder_id=request.recipient_id,
                minutes=request.held_minutes, category=request.category, request_id=request.id, memo=memo,
                subject=recipient.subject if recipient else "")
    request.held_minutes = 0


# --------------------------------------------------------------------------- offers


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


# --------------------------------------------------------------------------- confirmation


def confirmer_role(session: Session, actor, request: ServiceRequest) -> str:
    """recipient / family / social_worker, or Forbidden (the provider can never confirm)."""
    own = access.holder_of(session, actor)
    if own is not None and own.id == request.provider_id:
        raise Forbidden("服务提供者不能确认自己的服务时长", code="provider_cannot_confirm")
    if own is not None and own.id == request.recipient_id:
        return "recipient"
    if own is not None and access.is_relative(session, request.recipient_id, own.id):
        return "family"
    if isinstance(actor, Citizen):
        raise Forbidden("只有服务对象本人、登记的亲属或社工可以确认服务时长", code="forbidden_role")
    access.require_social_worker(actor, "确认服务时长")
    return "social_worker"


def confirm(quanke, actor, request_id: int, minutes, *, at: dt.datetime | None = None) -> ServiceRequest:
    """Confirm the hours actually served; they are deposited (721) and paid from the hold."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        request = _lock_request(session, request_id)
        role = confirmer_role(session, actor, request)
        if request.status in ("confirmed", "rated"):
            raise Conflict(f"服务需求 {request.number} 的时长已于{local(request.confirmed_at):%Y-%m-%d %H:%M}确认，"
                           "不能重复确认", code="already_confirmed")
        if request.status != "assigned":
            raise InvalidState(f"服务需求当前为“{STATUS_LABELS[request.status]}”，没有可确认的服务",
                               code="no_service")
        moment = at or now()
        if moment > now():
            raise InvalidInput("确认时间不能晚于现在", code="confirmed_in_future", field="at")
        if moment < request.window_start:
            raise InvalidState(f"服务预约在{local(request.window_start):%Y-%m-%d %H:%M}开始，服务尚未发生，不能确认",
                               code="service_not_happened")
        minutes = ledger.parse_minutes(minutes, what="服务时长")
        limit = request.planned_minutes
        if minutes > limit:
            raise InvalidInput(f"确认时长不能超过预约时长{ledger.fmt_minutes(limit)}", code="minutes_above_planned",
                               field="minutes")
        provider = session.get(Holder, request.provider_id)
        accounts = ledger.community_accounts(session, request.community)
        payer_lines: list[tuple[int, int]] = []
        if request.payer != "public":
            payer = _payer_account(session, request)
            payer_lines = [(accounts["escrow"], -request.held_minutes), (payer, request.held_minutes - minutes),
                           (accounts["redeemed"], minutes)]
        deposit = deposits.plan(session, provider, minutes, request.community, rules,
                                also_lock=[a for a, _ in payer_lines])
        posted = ledger.post(session, kind="service", lines=deposit.lines + payer_lines, community=request.community,
                             actor=access.actor_key(actor), rules=rules, holder_id=provider.id, minutes=minutes,
                             category=request.category, request_id=request.id,
                             memo=f"服务需求 {request.number} 确认时长", subject=provider.subject,
                             ref={"breakdown": deposits.breakdown(deposit), "payer": request.payer,
                                  "confirmer": role}, at=at)
        request.status, request.confirmed_minutes, request.confirmed_at = "confirmed", minutes, moment
        request.confirmed_by, request.confirmer_role, request.journal_id = access.actor_key(actor), role, posted.journal_id
        request.held_minutes = 0
        deposits.after_deposit(session, provider, deposit, rules)
        tell(session, provider, "deposited", "服务时长已存入",
             f"服务需求{request.number}已确认{ledger.fmt_minutes(minutes)}，已存入您的时间银行账户。")
        record_audit(session, actor=access.actor_key(actor), action="timebank.request_confirmed",
                     object_type="tb_request", object_id=request.id, subject=provider.subject,
                     data={"minutes": minutes, "role": role, "journal": posted.journal_id}, at=at)
        return request


def correct_confirmation(quanke, actor, request_id: int, *, reason: str) -> ServiceRequest:
    """A wrong confirmation is reversed (reversing journal) and can be confirmed again."""
    rules = settings(quanke)
    with quanke.db.session() as session:
        request = _lock_request(session, request_id)
        access.require_admin(session, actor, rules, request.community, "更正确认时长")
        if request.status != "confirmed" or request.journal_id is None:
            raise InvalidState("只有已确认且未回访的服务可以更正", code="not_correctable")
        provider = session.get(Holder, request.provider_id)
        ledger.reverse(session, request.journal_id, actor=access.actor_key(actor), reason=reason, rules=rules,
                       subject=provider.subject if provider else "")
        old = request.confirmed_minutes
        request.status, request.held_minutes = "assigned", request.planned_minutes if request.payer != "public" else 0
        request.confirmed_minutes = request.confirmed_at = request.journal_id = None
        request.confirmed_by = request.confirmer_role = ""
        record_audit(session, actor=access.actor_key(actor), action="timebank.confirmation_reversed",
                     object_type="tb_request", object_id=request.id, data={"minutes": old, "reason": reason})
        return request


def close_unserved(quanke, actor, request_id: int, *, reason: str, not_served: bool = False) -> ServiceRequest:
    """Cancel a request (or record that the service did not happen); the hold is released."""
    rules = settings(quanke)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("请填写原因", code="reason_required", field="reason")
    with quanke.db.session() as session:
        request = _lock_request(session, request_id)
        own = access.holder_of(session, actor)
        is_recipient = own is not None and own.id == request.recipient_id
        if not is_recipient:
            if not_served:
                confirmer_role(session, actor, request)
            else:
                access.require_social_worker(actor, "取消服务需求")
        if request.status not in OPEN_STATES:
            raise InvalidState(f"服务需求当前为“{STATUS_LABELS[request.status]}”，不能取消", code="request_closed")
        if not_served and request.status != "assigned":
            raise InvalidState("尚未接单的需求请直接取消", code="request_not_assigned")
        _release(session, request, rules, access.actor_key(actor), f"服务需求 {request.number} 取消，释放冻结")
        request.status, request.closed_reason = ("not_served" if not_served else "cancelled"), reason
        session.execute(update(Offer).where(Offer.request_id == request.id, Offer.status == "offered")
                        .values(status="closed"))
        record_audit(session, actor=access.actor_key(actor), action="timebank.request_closed",
                     object_type="tb_request", object_id=request.id,
                     data={"status": request.status, "reason": reason})
        return request


def follow_up(quanke, actor, request_id: int, *, rating, comment: str = "",
              at: dt.datetime | None = None) -> ServiceRequest:
    """回访评价: a social worker visits or calls the recipient and records 1–5 stars."""
    with quanke.db.session() as session:
        request = _lock_request(session, request_id)
        access.require_social_worker(actor, "登记回访评价")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidInput("评价应为1至5分", code="invalid_rating", field="rating")
        if request.status == "rated":
            raise Conflict("该服务已回访评价", code="already_rated")
        if request.status != "confirmed":
            raise InvalidState("服务时长确认后才能回访评价", code="not_confirmed")
        request.status, request.rating, request.rating_comment = "rated", rating, (comment or "").strip()[:1000]
        request.rated_by, request.rated_at = access.actor_key(actor), at or now()
        record_audit(session, actor=access.actor_key(actor), action="timebank.follow_up",
                     object_type="tb_request", object_id=request.id,
                     data={"rating": rating, "comment": request.rating_comment}, at=at)
        return request
