"""Filing a request, and what every later step needs: the labels, locking a request row,
the time window rules, and holding the payer's minutes in escrow (and releasing them)."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import (
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    local,
    now,
    record_audit,
)
from plugins.timebank.domain import access, ledger, withdrawals
from plugins.timebank.domain.catalog import kind as find_kind
from plugins.timebank.domain.settings import Settings, settings
from plugins.timebank.models import Holder, ServiceRequest

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
            try:
                _hold(session, request, recipient, rules, access.actor_key(actor), at)
            except InvalidInput as exc:
                raise _offer_loan(session, exc, request, recipient, rules) from None
        record_audit(session, actor=access.actor_key(actor), action="timebank.request_filed",
                     object_type="tb_request", object_id=request.id, subject=recipient.subject,
                     data={"number": request.number, "kind": request.kind, "payer": payer,
                           "planned": planned_minutes, "community": community}, at=at)
        return request


def _offer_loan(session: Session, exc: InvalidInput, request: ServiceRequest, recipient: Holder,
                rules: Settings) -> InvalidInput:
    """The recipient's own hours are short: a member the loan rules cover (贷: age, living alone,
    or an administrator's exception) is pointed to the loan path instead of a dead end."""
    if exc.code != "insufficient_balance" or request.payer != "recipient":
        return exc
    eligible, why = withdrawals.loan_eligibility(session, recipient, rules)
    if not eligible:
        return exc
    room = max(0, rules.loan_limit_minutes - withdrawals.owed(session, recipient.id))
    short = int((exc.details or {}).get("needed", 0)) - int((exc.details or {}).get("balance", 0))
    if room <= 0 or short <= 0:
        return exc
    return InvalidInput(
        f"{exc.message}。服务对象符合借贷条件（{why}），可由社区管理员先办理借贷时长"
        f"（还差 {ledger.fmt_minutes(short)}，最多还可借 {ledger.fmt_minutes(room)}），再登记本需求",
        code="insufficient_balance",
        details={**(exc.details or {}), "loan_path": {"holder_id": recipient.id, "short": short,
                                                      "available": room}})


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

