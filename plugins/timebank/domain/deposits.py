"""Deposits: confirmed hours into a holder's accounts.

In this order: (1) an outstanding loan is repaid first; (2) what would take the holder's
total (service + goods + cash) above the storage cap goes to the home community's donation
pool, and the holder is told; (3) the rest is split 70/20/10 into the three buckets.
The hours come from the ``issued`` account of the community where the service was given.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import InvalidInput, InvalidState, NotFound

from plugins.timebank.domain import access, ledger
from plugins.timebank.models import Holder, Journal
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.settings import Settings


@dataclass
class DepositPlan:
    minutes: int
    repay: int = 0
    excess: int = 0
    parts: dict[str, int] = field(default_factory=dict)
    lines: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return sum(self.parts.values())


def plan(session: Session, holder: Holder, minutes: int, community: str, rules: Settings,
         also_lock=()) -> DepositPlan:
    """The lines of a deposit. The holder's accounts are locked here, so the cap and the
    loan are judged on balances nobody else can change before the journal is written.
    ``also_lock``: the other accounts the caller's journal will touch — all locks of one
    transaction are taken in one ordered statement, so lock order is global (no deadlock)."""
    ledger.require_minutes(minutes)
    if holder.status != "active":
        raise InvalidState(f"{holder.name}的账户已关闭，不能存入", code="account_closed")
    own = ledger.holder_accounts(session, holder.id)
    source = ledger.community_accounts(session, community)
    pool = ledger.community_accounts(session, holder.community)["donation"]
    locked = ledger.lock_balances(session, list(own.values()) + [source["issued"], pool, *also_lock])
    owed = -locked[own["loan"]]["balance"]
    result = DepositPlan(minutes)
    result.repay = min(owed, minutes)
    rest = minutes - result.repay
    held = sum(locked[own[b]]["balance"] for b in ledger.BUCKETS)
    room = max(0, rules.storage_cap_minutes - held)
    keep = min(rest, room)
    result.excess = rest - keep
    result.parts = ledger.split_721(keep, rules)
    result.lines = [(source["issued"], -minutes), (own["loan"], result.repay), (pool, result.excess)]
    result.lines += [(own[b], result.parts[b]) for b in ledger.BUCKETS]
    return result


def after_deposit(session: Session, holder: Holder, deposit: DepositPlan, rules: Settings) -> None:
    """Tell the holder about the cap (required) and a repaid loan."""
    if deposit.excess:
        tell(session, holder, "cap", "时间存储已达上限",
             f"您的时间存储已达上限{ledger.fmt_minutes(rules.storage_cap_minutes)}，本次超出的"
             f"{ledger.fmt_minutes(deposit.excess)}已转入社区捐赠池，感谢您的奉献。")
    if deposit.repay:
        tell(session, holder, "loan_repaid", "借贷时长已还",
             f"本次存入的时长中{ledger.fmt_minutes(deposit.repay)}已用于归还借贷时长。")


def breakdown(deposit: DepositPlan) -> dict:
    return {"repay": deposit.repay, "excess": deposit.excess, **deposit.parts}


def deposit_activity(quanke, actor, *, holder_id: int, minutes: int, community: str,
                     category: str, memo: str, at: dt.datetime | None = None) -> int:
    """Hours of a group activity (集体活动) recorded by the community administrator."""
    from plugins.timebank.domain.catalog import CATEGORY_NAMES
    from plugins.timebank.domain.settings import settings
    rules = settings(quanke)
    ledger.require_minutes(minutes)
    if category not in CATEGORY_NAMES:
        raise InvalidInput("请选择服务类别", code="unknown_category", field="category")
    if not rules.is_community(community):
        raise InvalidInput("服务所在社区不存在", code="unknown_community", field="community")
    memo = (memo or "").strip()
    if len(memo) < 2:
        raise InvalidInput("请写明活动内容", code="memo_required", field="memo")
    with quanke.db.session() as session:
        access.require_admin(session, actor, rules, community, "登记活动时长")
        holder = session.get(Holder, holder_id)
        if holder is None:
            raise NotFound("账户不存在", code="holder_not_found")
        deposit = plan(session, holder, minutes, community, rules)
        posted = ledger.post(session, kind="deposit", lines=deposit.lines, community=community,
                             actor=access.actor_key(actor), rules=rules, holder_id=holder.id,
                             minutes=minutes, category=category, memo=memo, subject=holder.subject,
                             ref={"breakdown": breakdown(deposit)}, at=at)
        after_deposit(session, holder, deposit, rules)
        return posted.journal_id


def served_minutes(session: Session, holder_id: int, until: dt.datetime | None = None) -> int:
    """Cumulative hours a holder has served (service and activity deposits, less reversed)."""
    return served_by_holder(session, until, holder_ids=[holder_id]).get(holder_id, 0)


def served_by_holder(session: Session, until: dt.datetime | None = None, *,
                     holder_ids=None) -> dict[int, int]:
    """holder id → cumulative served minutes (one query for everybody, for the star job)."""
    reversed_ids = select(Journal.reverses_id).where(Journal.reverses_id.is_not(None))
    stmt = (select(Journal.holder_id, func.sum(Journal.minutes))
            .where(Journal.kind.in_(("service", "deposit")), Journal.id.not_in(reversed_ids))
            .group_by(Journal.holder_id))
    if until is not None:
        stmt = stmt.where(Journal.at < until)
    if holder_ids is not None:
        stmt = stmt.where(Journal.holder_id.in_(list(holder_ids)))
    return {h: int(m) for h, m in session.execute(stmt) if h is not None}
