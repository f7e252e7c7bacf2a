"""Property-based tests (hypothesis): random sequences of ledger operations keep every
invariant — each balance is the sum of its movements, each journal and the whole ledger
sum to zero, no bucket is negative, loans stay within the limit, balances stay under the
cap — and an operation that fails leaves the ledger exactly as it was."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from core.platform.errors import QuankeError

from plugins.timebank.domain import ledger, requests, supermarket, volunteers, withdrawals
from plugins.timebank.models import Account, Journal, Movement

PEOPLE = 4
COMMUNITIES = ["C031", "C032", "C011"]

minutes = st.one_of(st.integers(min_value=-30, max_value=900), st.sampled_from([0, 1, 59, 60, 61]),
                    st.floats(min_value=0.5, max_value=90.5))
who = st.integers(min_value=0, max_value=PEOPLE - 1)
operation = st.one_of(
    st.tuples(st.just("deposit"), who, minutes, st.sampled_from(COMMUNITIES)),
    st.tuples(st.just("cash"), who, minutes),
    st.tuples(st.just("exchange"), who, st.integers(min_value=-1, max_value=4)),
    st.tuples(st.just("transfer"), who, who, minutes),
    st.tuples(st.just("loan"), who, minutes),
    st.tuples(st.just("repay"), who, minutes),
    st.tuples(st.just("donate"), who, st.sampled_from(["service", "goods", "cash", "loan"]), minutes),
    st.tuples(st.just("request"), who, who, st.integers(min_value=-10, max_value=120), st.booleans()),
    st.tuples(st.just("restock"), st.integers(min_value=-1, max_value=5)),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=10_000)),
)


def _snapshot(quanke):
    with quanke.db.session() as s:
        return (s.scalar(select(func.count(Movement.id))), s.scalar(select(func.count(Journal.id))),
                sorted(s.execute(select(Account.key, Account.balance)).all()))


def _apply(tb, people, goods_id, op):
    q, admin, worker = tb.quanke, tb.admin, tb.worker
    name = op[0]
    if name == "deposit":
        _, i, m, community = op
        tb.deposit(people[i], m if isinstance(m, int) else int(m * 60) / 60, community=community)
    elif name == "cash":
        withdrawals.settle_cash(q, admin, holder_id=people[op[1]], minutes=op[2])
    elif name == "exchange":
        supermarket.exchange(q, admin, holder_id=people[op[1]], goods_id=goods_id, quantity=op[2])
    elif name == "transfer":
        withdrawals.transfer_to_relative(q, admin, holder_id=people[op[1]], relative_id=people[op[2]], minutes=op[3])
    elif name == "loan":
        withdrawals.grant_loan(q, admin, holder_id=people[op[1]], minutes=op[2], reason="属性测试")
    elif name == "repay":
        withdrawals.repay_loan(q, admin, holder_id=people[op[1]], minutes=op[2])
    elif name == "donate":
        withdrawals.donate(q, admin, holder_id=people[op[1]], bucket=op[2], minutes=op[3])
    elif name == "request":
        _, recipient, volunteer, planned, confirm = op
        request = tb.request(people[recipient], planned=planned if planned else 0, by=worker)
        vid = tb.volunteer_ids[volunteer]
        requests.accept(q, admin, request.id, vid)
        if confirm:
            requests.confirm(q, worker, request.id, max(1, planned // 2))
        else:
            requests.close_unserved(q, worker, request.id, reason="属性测试取消")
    elif name == "restock":
        supermarket.restock(q, admin, goods_id, quantity=op[1])
    elif name == "reverse":
        with q.db.session() as s:
            ids = list(s.scalars(select(Journal.id).order_by(Journal.id)))
            if not ids:
                return
            ledger.reverse(s, ids[op[1] % len(ids)], actor="test", reason="属性测试冲正", rules=tb.rules)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=14))
def test_random_operation_sequences_keep_the_ledger_invariants(tb, ops):
    q = tb.quanke
    q.config["TIMEBANK_STORAGE_CAP_HOURS"] = 20
    q.config["TIMEBANK_LOAN_LIMIT_HOURS"] = 5
    if not hasattr(tb, "people"):  # built once; hypothesis examples share the database
        tb.people = [tb.person(born="19400101", lives_alone=True) for _ in range(PEOPLE)]
        tb.volunteer_ids = [tb.volunteer()[0] for _ in range(PEOPLE)]
        for i in range(PEOPLE - 1):
            volunteers.add_relation(q, tb.worker, holder_id=tb.people[i], relative_id=tb.people[i + 1],
                                    relation="child", evidence="户口簿")
        tb.goods = supermarket.add_goods(q, tb.admin, community="C031", name="鸡蛋", unit="盒", price_minutes=25,
                                         stock=6).id
    for op in ops:
        before = _snapshot(q)
        try:
            _apply(tb, tb.people, tb.goods, op)
        except QuankeError:
            if op[0] != "request":          # a request is several operations; each is atomic
                assert _snapshot(q) == before, f"failed operation {op} changed the ledger"
        problems = tb.verify()
        assert problems == [], f"after {op}: {problems}"
        # Checked after every operation: examples share the database, so a breach found
        # only at the end would be blamed on a later, innocent example.
        with q.db.session() as s:
            cap, limit = 20 * 60, 5 * 60
            for holder in tb.people:
                b = ledger.balances(s, holder)
                assert sum(b[k] for k in ledger.BUCKETS) <= cap, f"after {op}: {b}"
                assert -limit <= b["loan"] <= 0, f"after {op}: {b}"
