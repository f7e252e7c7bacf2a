"""How a request ends: the hours confirmed (and a wrong confirmation reversed), cancelled or
recorded as not served (the hold released), and the follow-up visit (回访评价)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.api import (
    Citizen,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    local,
    now,
    record_audit,
)
from plugins.timebank.domain import access, deposits, ledger
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.requests.filing import (
    OPEN_STATES,
    STATUS_LABELS,
    _lock_request,
    _payer_account,
    _release,
)
from plugins.timebank.domain.settings import settings
from plugins.timebank.models import Holder, Offer, ServiceRequest


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
