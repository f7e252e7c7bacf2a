"""通存通兑 between communities: who owes whom, and settling it.

Each account belongs to a community (a holder's accounts to the home community). A
community's *position* is the sum of all its accounts: zero while its own people spend
its own hours at home. When a journal moves minutes between communities — hours issued
in A and deposited to a volunteer of B, or B's resident served in A with hours from B —
the community whose position fell owes the one whose position rose. The report gives,
for a period, the gross amounts per pair and the net; :func:`settle` records a settlement
(a journal between the two communities' interbank accounts) that cancels a net debt.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Forbidden, InvalidInput

from plugins.timebank.domain import access, ledger
from plugins.timebank.models import Account, Journal, Movement
from plugins.timebank.domain.settings import settings


@dataclass
class Debt:
    debtor: str
    creditor: str
    minutes: int


def _flows(session: Session, start: dt.datetime | None, end: dt.datetime | None) -> dict[tuple[str, str], int]:
    """(debtor, creditor) → gross minutes, from journals touching several communities."""
    stmt = (select(Movement.journal_id, Account.community, func.sum(Movement.amount))
            .join(Account, Account.id == Movement.account_id).join(Journal, Journal.id == Movement.journal_id)
            .group_by(Movement.journal_id, Account.community).order_by(Movement.journal_id))
    if start is not None:
        stmt = stmt.where(Journal.at >= start)
    if end is not None:
        stmt = stmt.where(Journal.at < end)
    per_journal: dict[int, dict[str, int]] = defaultdict(dict)
    for journal_id, community, amount in session.execute(stmt):
        if int(amount):
            per_journal[journal_id][community] = int(amount)
    flows: dict[tuple[str, str], int] = defaultdict(int)
    for deltas in per_journal.values():
        if len(deltas) < 2:
            continue
        debtors = sorted([(c, -m) for c, m in deltas.items() if m < 0])
        creditors = sorted([(c, m) for c, m in deltas.items() if m > 0])
        i = j = 0
        while i < len(debtors) and j < len(creditors):  # greedy: a journal rarely has >2 sides
            (d, owe), (c, due) = debtors[i], creditors[j]
            amount = min(owe, due)
            flows[(d, c)] += amount
            debtors[i], creditors[j] = (d, owe - amount), (c, due - amount)
            i += debtors[i][1] == 0
            j += creditors[j][1] == 0
    return flows


def report(session: Session, start: dt.datetime | None = None, end: dt.datetime | None = None) -> dict:
    """Gross flows and the net debt per pair of communities (settlements included)."""
    flows = _flows(session, start, end)
    pairs = {tuple(sorted(k)) for k in flows}
    net: list[Debt] = []
    for a, b in sorted(pairs):
        balance = flows.get((a, b), 0) - flows.get((b, a), 0)
        if balance > 0:
            net.append(Debt(a, b, balance))
        elif balance < 0:
            net.append(Debt(b, a, -balance))
    positions = dict(session.execute(select(Account.community, func.sum(Account.balance))
                                     .group_by(Account.community)).all())
    return {"gross": [Debt(d, c, m) for (d, c), m in sorted(flows.items())], "net": net,
            "positions": {c: int(v) for c, v in sorted(positions.items())}}


def settle(quanke, actor, *, debtor: str, creditor: str, minutes) -> int:
    """Record that ``debtor`` has settled ``minutes`` with ``creditor`` (street level)."""
    rules = settings(quanke)
    minutes = ledger.parse_minutes(minutes, what="清算时长")
    if debtor == creditor or not rules.is_community(debtor) or not rules.is_community(creditor):
        raise InvalidInput("请选择两个不同的社区", code="invalid_communities")
    with quanke.db.session() as session:
        access.require_admin(session, actor, rules, None, "办理通兑清算")
        if access.admin_communities(session, actor, rules) is not None:
            raise Forbidden("通兑清算由街道时间银行管理中心办理", code="street_only")
        a = ledger.community_accounts(session, debtor)["interbank"]
        b = ledger.community_accounts(session, creditor)["interbank"]
        ledger.lock_balances(session, [a, b])  # two clerks settling the same pair at once: one waits
        owed = {(d.debtor, d.creditor): d.minutes for d in report(session)["net"]}.get((debtor, creditor), 0)
        if minutes > owed:
            raise InvalidInput(f"{rules.community_name(debtor)}目前只欠{rules.community_name(creditor)}"
                               f"{ledger.fmt_minutes(owed)}，清算时长不能超过欠款", code="settle_above_debt")
        return ledger.post(session, kind="settlement", lines=[(a, minutes), (b, -minutes)], community=debtor,
                           actor=access.actor_key(actor), rules=rules, minutes=minutes,
                           memo=f"{rules.community_name(debtor)}向{rules.community_name(creditor)}清算",
                           ref={"debtor": debtor, "creditor": creditor}).journal_id
