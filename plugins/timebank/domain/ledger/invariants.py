"""The invariants of the ledger, checked from the stored rows (``quanke timebank verify``, the
administrator's ledger page)."""
from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from plugins.timebank.domain.ledger.kinds import NON_NEGATIVE
from plugins.timebank.models import Account, Journal, Movement


def verify(session: Session) -> list[str]:
    """Every invariant of the ledger, checked from the stored rows; [] when all hold."""
    problems: list[str] = []
    total = session.scalar(select(func.coalesce(func.sum(Movement.amount), 0)))
    if int(total) != 0:
        problems.append(f"全部流水合计为 {total}，不为零")
    for journal_id, s in session.execute(
            select(Movement.journal_id, func.sum(Movement.amount)).group_by(Movement.journal_id)
            .having(func.sum(Movement.amount) != 0)):
        problems.append(f"分录 {journal_id} 合计 {s}，借贷不平衡")
    lonely = session.scalar(select(func.count(Journal.id)).where(
        ~select(Movement.id).where(Movement.journal_id == Journal.id).exists()))
    if lonely:
        problems.append(f"{lonely} 笔分录没有流水行")
    sums = dict(session.execute(select(Movement.account_id, func.sum(Movement.amount))
                                .group_by(Movement.account_id)).all())
    for account in session.scalars(select(Account)):
        expected = int(sums.get(account.id, 0))
        if int(account.balance) != expected:
            problems.append(f"账户 {account.key} 余额 {account.balance} ≠ 流水合计 {expected}")
        if account.kind in NON_NEGATIVE and account.balance < 0:
            problems.append(f"账户 {account.key} 余额为负（{account.balance}）")
        if account.kind == "loan" and account.balance > 0:
            problems.append(f"借贷账户 {account.key} 余额为正（{account.balance}）")
    running = text("""
        SELECT account_id, id FROM (
            SELECT account_id, id, balance_after,
                   SUM(amount) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM tb_movements) m
        WHERE running <> balance_after LIMIT 5""")
    for account_id, movement_id in session.execute(running):
        problems.append(f"账户 {account_id} 的流水 {movement_id} 结余与累计不符")
    return problems
