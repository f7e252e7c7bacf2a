"""Concurrency on PostgreSQL: row locks (SELECT … FOR UPDATE in id order) keep the ledger
exact when many clients touch the same accounts at once."""
from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import func, select

from core.platform.errors import Conflict, InvalidInput

from plugins.timebank.domain import ledger, requests, supermarket, withdrawals
from plugins.timebank.models import Account, CashPayout, Journal, Movement

pytestmark = pytest.mark.postgres


def _race(n, fn):
    """Run fn(i) in n threads released together; returns (results, errors) by index."""
    barrier = threading.Barrier(n)
    results, errors = {}, {}

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, errors


def test_16_concurrent_withdrawals_never_overdraw_or_lose_a_movement(pg_tb):
    tb = pg_tb
    h = tb.person()
    tb.deposit(h, 1000)                                   # cash bucket: 100 minutes
    results, errors = _race(16, lambda i: withdrawals.settle_cash(tb.quanke, tb.admin, holder_id=h, minutes=9))
    assert len(results) == 11 and len(errors) == 5       # 11 × 9 = 99 ≤ 100 < 12 × 9
    assert all(isinstance(e, InvalidInput) and e.code == "insufficient_balance" for e in errors.values())
    assert tb.balances(h)["cash"] == 1
    with tb.quanke.db.session() as s:
        cash = ledger.holder_accounts(s, h)["cash"]
        debits = s.scalars(select(Movement).where(Movement.account_id == cash, Movement.amount < 0)
                           .order_by(Movement.id)).all()
        assert len(debits) == 11 and {m.journal_id for m in debits} == set(results.values())
        assert [m.balance_after for m in debits] == [100 - 9 * k for k in range(1, 12)]
        assert s.scalar(select(func.count(CashPayout.id))) == 11
    assert tb.verify() == []


def test_concurrent_transfers_in_both_directions_do_not_deadlock(pg_tb):
    tb = pg_tb
    people = [tb.person() for _ in range(4)]
    for p in people:
        tb.deposit(p, 1000)
    with tb.quanke.db.session() as s:
        accounts = [ledger.holder_accounts(s, p)["service"] for p in people]
    rng = random.Random(3)
    pairs = [tuple(rng.sample(accounts, 2)) for _ in range(24)]

    def move(i):
        source, target = pairs[i]
        with tb.quanke.db.session() as s:
            return ledger.transfer(s, source=source, target=target, minutes=rng.randint(1, 90), actor="test",
                                   rules=tb.rules, community="C031").journal_id

    results, errors = _race(len(pairs), move)
    assert not [e for e in errors.values() if not (isinstance(e, InvalidInput) and e.code == "insufficient_balance")]
    with tb.quanke.db.session() as s:
        total = s.scalar(select(func.sum(Account.balance)).where(Account.id.in_(accounts)))
        assert total == 4 * 700                            # minutes only moved between them
        assert s.scalar(select(func.count(Journal.id)).where(Journal.kind == "transfer")) == len(results)
    assert tb.verify() == []


def test_concurrent_confirmations_of_one_service_deposit_once(pg_tb):
    tb = pg_tb
    r = tb.person()
    tb.deposit(r, 300)
    vid, vholder = tb.volunteer()
    request = tb.request(r, planned=60)
    requests.accept(tb.quanke, tb.admin, request.id, vid)
    results, errors = _race(8, lambda i: requests.confirm(tb.quanke, tb.worker, request.id, 60).id)
    assert len(results) == 1
    assert all(isinstance(e, Conflict) and e.code == "already_confirmed" for e in errors.values())
    assert sum(tb.balances(vholder)[b] for b in ledger.BUCKETS) == 60
    assert tb.verify() == []


def test_concurrent_exchanges_never_sell_more_than_the_stock(pg_tb):
    tb = pg_tb
    people = [tb.person() for _ in range(8)]
    for p in people:
        tb.deposit(p, 500)                                 # goods 100 each
    goods = supermarket.add_goods(tb.quanke, tb.admin, community="C031", name="洗衣液", unit="瓶",
                                  price_minutes=40, stock=5)
    results, errors = _race(8, lambda i: supermarket.exchange(tb.quanke, tb.admin, holder_id=people[i],
                                                              goods_id=goods.id, quantity=1))
    assert len(results) == 5 and all(e.code == "out_of_stock" for e in errors.values())
    assert tb.community("C031")["supermarket"] == 200
    assert tb.verify() == []


def test_the_single_statement_write_stores_what_the_orm_reads_back(pg_tb):
    """PostgreSQL writes journal, movements and balances in one statement; check each column."""
    import datetime as dt
    tb = pg_tb
    h = tb.person()
    when = dt.datetime(2026, 10, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    from plugins.timebank.domain import deposits
    journal_id = deposits.deposit_activity(tb.quanke, tb.admin, holder_id=h, minutes=50, community="C032",
                                           category="repairs", memo="修理“自行车”", at=when)
    with tb.quanke.db.session() as s:
        j = s.get(Journal, journal_id)
        assert (j.kind, j.community, j.holder_id, j.minutes, j.category, j.memo) == (
            "deposit", "C032", h, 50, "repairs", "修理“自行车”")
        assert j.at == when and j.ref == {"breakdown": {"repay": 0, "excess": 0, "service": 35, "goods": 10, "cash": 5}}
        rows = s.execute(select(Account.key, Movement.amount, Movement.balance_after)
                         .join(Account, Account.id == Movement.account_id).where(Movement.journal_id == journal_id)
                         .order_by(Account.key)).all()
        assert [(k.split(":")[-1], a, b) for k, a, b in rows] == [
            ("issued", -50, -50), ("cash", 5, 5), ("goods", 10, 10), ("service", 35, 35)]
    assert tb.verify() == []
