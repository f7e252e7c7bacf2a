"""Leaving (退出): every balance settled or donated, then the accounts closed."""
from __future__ import annotations

from sqlalchemy import select, update

from core.api import (
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    local_date,
    now,
    record_audit,
)
from plugins.timebank.domain import access, ledger
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.settings import settings
from plugins.timebank.domain.volunteers.holders import _holder
from plugins.timebank.models import (
    Account,
    CashPayout,
    Holder,
    ServiceRequest,
    Team,
    Volunteer,
)


def leave(quanke, actor, holder_id: int, *, disposition: str, reason: str,
          relative_id: int | None = None) -> int | None:
    """退出: settle (cash bucket paid out, service hours to a relative if named, the rest
    donated) or donate everything to the home community's pool; then close the accounts.
    Returns the closing journal id (None when all balances were already zero)."""
    rules = settings(quanke)
    if disposition not in ("settle", "donate"):
        raise InvalidInput("请选择结清或捐赠", code="invalid_disposition", field="disposition")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("请填写退出原因", code="reason_required", field="reason")
    with quanke.db.session() as session:
        holder = session.scalar(select(Holder).where(Holder.id == holder_id)
                                .with_for_update() if quanke.db.is_postgres else
                                select(Holder).where(Holder.id == holder_id))
        if holder is None:
            raise NotFound("账户不存在", code="holder_not_found")
        mode = access.require_self_or_staff(session, actor, holder, "办理退出")
        if holder.status != "active":
            raise InvalidState("该账户已经退出", code="already_left")
        busy = session.scalar(select(ServiceRequest.number).where(
            ServiceRequest.status.in_(("open", "assigned")),
            (ServiceRequest.recipient_id == holder.id) | (ServiceRequest.provider_id == holder.id)).limit(1))
        if busy:
            raise InvalidState(f"尚有未完成的服务需求（{busy}），请先完成或取消", code="open_requests")
        own = ledger.holder_accounts(session, holder.id)
        pool = ledger.community_accounts(session, holder.community)
        target = None
        if disposition == "settle" and relative_id is not None:
            if not rules.family_transfer:
                raise Forbidden("本街道未开放亲属转赠", code="family_transfer_off")
            if access.is_relative(session, holder.id, relative_id) not in rules.relations:
                raise Forbidden("只能转给已登记的直系亲属", code="not_a_relative")
            relative = _holder(session, relative_id)
            if relative.status != "active":
                raise InvalidState("受赠亲属的账户已关闭", code="account_closed")
            target = ledger.holder_accounts(session, relative_id)["service"]
        accounts = [*own.values(), pool["donation"], pool["cash_paid"]] + ([target] if target else [])
        locked = ledger.lock_balances(session, accounts)
        if locked[own["loan"]]["balance"] < 0:
            raise InvalidState(f"尚有借贷时长 {ledger.fmt_minutes(-locked[own['loan']]['balance'])} 未归还，"
                               "不能退出", code="loan_outstanding")
        held = {b: locked[own[b]]["balance"] for b in ledger.BUCKETS}
        if target is not None:
            relative_total = sum(ledger.balances(session, relative_id)[b] for b in ledger.BUCKETS)
            if relative_total + held["service"] > rules.storage_cap_minutes:
                raise InvalidInput("受赠亲属的时间存储将超过上限，请改为捐赠", code="storage_cap_exceeded")
        lines: list[tuple[int, int]] = []
        destinations = {}
        for bucket, amount in held.items():
            if not amount:
                continue
            if disposition == "settle" and bucket == "cash":
                dest = pool["cash_paid"]
            elif disposition == "settle" and bucket == "service" and target is not None:
                dest = target
            else:
                dest = pool["donation"]
            lines += [(own[bucket], -amount), (dest, amount)]
            destinations[bucket] = {pool["cash_paid"]: "cash", pool["donation"]: "donation"}.get(dest, "relative")
        who = access.actor_key(actor)
        journal_id = None
        if lines:
            total = sum(held.values())
            posted = ledger.post(session, kind="leave", lines=lines, community=holder.community, actor=who,
                                 rules=rules, holder_id=holder.id, minutes=total, memo=reason,
                                 subject=holder.subject,
                                 ref={"disposition": disposition, "destinations": destinations,
                                      **({"relative": relative_id} if target else {})})
            journal_id = posted.journal_id
            if destinations.get("cash") == "cash":
                session.add(CashPayout(journal_id=journal_id, holder_id=holder.id, community=holder.community,
                                       minutes=held["cash"], rate_fen_per_hour=rules.cash_rate_fen_per_hour,
                                       amount_fen=held["cash"] * rules.cash_rate_fen_per_hour // 60,
                                       paid_by=who))
        session.execute(update(Account).where(Account.holder_id == holder.id).values(status="closed"))
        holder.status, holder.closed_at, holder.close_reason = "closed", now(), reason
        session.execute(update(Volunteer).where(Volunteer.holder_id == holder.id)
                        .values(status="left", left_on=local_date(now())))
        session.execute(update(Team).where(Team.holder_id == holder.id).values(status="dissolved"))
        tell(session, holder, "left", "时间银行退出",
             "您已退出时间银行，" + ("余额已按您的选择结清。" if disposition == "settle" else "余额已捐赠社区捐赠池，感谢您的奉献。"))
        record_audit(session, actor=who, action="timebank.left", object_type="tb_holder", object_id=holder.id,
                     subject=holder.subject, data={"disposition": disposition, "by": mode, "reason": reason,
                                                   "balances": held, "journal": journal_id})
        return journal_id
