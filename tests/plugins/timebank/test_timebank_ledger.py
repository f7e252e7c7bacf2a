"""The ledger: 721 split, floors, buckets, reversals, immutability, audit."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from core.platform import audit
from core.platform.errors import Conflict, InvalidInput, InvalidState
from core.testing import check_plugin

from plugins.timebank.domain import ledger
from plugins.timebank.models import Journal, Movement


def test_plugin_passes_the_contract(quanke):
    check_plugin("timebank", quanke)


def test_deposit_is_split_721_and_the_ledger_balances(tb):
    h = tb.person()
    tb.deposit(h, 100)
    assert tb.balances(h) == {"service": 70, "goods": 20, "cash": 10, "loan": 0}
    tb.deposit(h, 7)  # 7 * 20% = 1.4 → 1, 7 * 10% = 0.7 → 0, the rest to service
    assert tb.balances(h) == {"service": 76, "goods": 21, "cash": 10, "loan": 0}
    assert tb.community("C031")["issued"] == -107
    assert tb.verify() == []


@pytest.mark.parametrize("minutes", [0, 1, 3, 9, 10, 11, 59, 61, 99, 101, 12345])
def test_split_adds_up_and_never_exceeds_the_percentages(tb, minutes):
    parts = ledger.split_721(minutes, tb.rules)
    assert sum(parts.values()) == minutes
    assert parts["goods"] * 100 <= minutes * 20 < (parts["goods"] + 1) * 100
    assert parts["cash"] * 100 <= minutes * 10 < (parts["cash"] + 1) * 100


def test_split_follows_configuration(quanke):
    from plugins.timebank.domain.settings import settings
    quanke.config["TIMEBANK_SPLIT"] = (50, 30, 20)
    assert ledger.split_721(100, settings(quanke)) == {"service": 50, "goods": 30, "cash": 20}
    quanke.config["TIMEBANK_SPLIT"] = (50, 30, 30)
    with pytest.raises(InvalidInput) as err:
        settings(quanke)
    assert err.value.code == "timebank_config_invalid"


def test_overdraw_and_bad_amounts_are_refused_and_change_nothing(tb):
    a, b = tb.person(), tb.person()
    tb.deposit(a, 60)
    with tb.quanke.db.session() as s:
        ids_a, ids_b = ledger.holder_accounts(s, a), ledger.holder_accounts(s, b)
        before = (s.scalar(select(func.count(Movement.id))), audit.count(s))
    for amount, code in ((43, "insufficient_balance"), (0, "minutes_not_positive"),
                         (-5, "minutes_not_positive"), (1.5, "minutes_not_integer"), (True, "minutes_not_integer")):
        with pytest.raises(InvalidInput) as err, tb.quanke.db.session() as s:
            ledger.transfer(s, source=ids_a["service"], target=ids_b["service"], minutes=amount, actor="test",
                            rules=tb.rules, community="C031")
        assert err.value.code == code
    with tb.quanke.db.session() as s:
        assert (s.scalar(select(func.count(Movement.id))), audit.count(s)) == before
    assert tb.balances(a)["service"] == 42 and tb.balances(b)["service"] == 0


def test_a_withdrawal_draws_only_on_its_own_bucket(tb):
    h, other = tb.person(), tb.person()
    tb.deposit(h, 600)  # service 420, goods 120, cash 60
    with tb.quanke.db.session() as s:
        own, theirs = ledger.holder_accounts(s, h), ledger.holder_accounts(s, other)
        shop = ledger.community_accounts(s, "C031")["supermarket"]
    for kind, bucket in (("exchange", "service"), ("exchange", "cash"), ("cash", "goods"), ("transfer", "goods")):
        with pytest.raises(InvalidInput) as err, tb.quanke.db.session() as s:
            ledger.post(s, kind=kind, lines=[(own[bucket], -10), (shop, 10)], community="C031", actor="test",
                        rules=tb.rules)
        assert err.value.code == "wrong_bucket"
    with pytest.raises(InvalidInput) as err, tb.quanke.db.session() as s:
        ledger.post(s, kind="service", lines=[(own["loan"], -10), (theirs["service"], 10)], community="C031",
                    actor="test", rules=tb.rules)
    assert err.value.code == "wrong_bucket"
    assert tb.balances(h) == {"service": 420, "goods": 120, "cash": 60, "loan": 0}


def test_unbalanced_journal_is_refused(tb):
    h = tb.person()
    with tb.quanke.db.session() as s:
        own = ledger.holder_accounts(s, h)
    with pytest.raises(InvalidInput) as err, tb.quanke.db.session() as s:
        ledger.post(s, kind="deposit", lines=[(own["service"], 10)], community="C031", actor="t", rules=tb.rules)
    assert err.value.code == "unbalanced_journal"


def test_reversal_is_the_only_correction_and_happens_once(tb):
    h = tb.person()
    journal = tb.deposit(h, 100)
    with tb.quanke.db.session() as s:
        reversal = ledger.reverse(s, journal, actor="test", reason="录入错误", rules=tb.rules).journal_id
    assert tb.balances(h) == {"service": 0, "goods": 0, "cash": 0, "loan": 0}
    with pytest.raises(Conflict), tb.quanke.db.session() as s:
        ledger.reverse(s, journal, actor="test", reason="再次冲正", rules=tb.rules)
    with pytest.raises(InvalidState), tb.quanke.db.session() as s:
        ledger.reverse(s, reversal, actor="test", reason="冲正的冲正", rules=tb.rules)
    with tb.quanke.db.session() as s:
        assert s.get(Journal, reversal).reverses_id == journal
        assert s.scalar(select(func.count(Journal.id))) == 2  # the original stays, untouched
    assert tb.verify() == []


def test_reversal_cannot_overdraw_spent_hours(tb):
    a, b = tb.person(), tb.person()
    journal = tb.deposit(a, 100)
    with tb.quanke.db.session() as s:
        ids_a, ids_b = ledger.holder_accounts(s, a), ledger.holder_accounts(s, b)
        ledger.transfer(s, source=ids_a["service"], target=ids_b["service"], minutes=50, actor="t",
                        rules=tb.rules, community="C031")
    with pytest.raises(InvalidInput) as err, tb.quanke.db.session() as s:
        ledger.reverse(s, journal, actor="test", reason="录入错误", rules=tb.rules)
    assert err.value.code == "insufficient_balance"


def test_movements_and_journals_cannot_be_edited_or_deleted(tb):
    h = tb.person()
    tb.deposit(h, 30)
    for sql in ("UPDATE tb_movements SET amount = amount + 1", "DELETE FROM tb_movements",
                "UPDATE tb_journals SET minutes = 1", "DELETE FROM tb_journals"):
        with pytest.raises(Exception) as err, tb.quanke.db.session() as s:
            s.execute(text(sql))
        assert "不可修改" in str(err.value)
    assert tb.verify() == []


def test_every_ledger_operation_is_audited_and_the_chain_holds(tb):
    h = tb.person()
    journal = tb.deposit(h, 45)
    with tb.quanke.db.session() as s:
        event = s.scalar(select(audit.AuditEvent).where(audit.AuditEvent.object_type == "tb_journal",
                                                        audit.AuditEvent.object_id == str(journal)))
        assert event.action == "timebank.deposit" and event.subject
        assert sorted(amount for _, amount in event.data["lines"]) == [-45, 4, 9, 32]
        assert audit.verify(s).ok


def test_verify_finds_a_tampered_balance(tb):
    h = tb.person()
    tb.deposit(h, 30)
    with tb.quanke.db.session() as s:
        s.execute(text("UPDATE tb_accounts SET balance = balance + 5 WHERE kind = 'service' AND holder_id = :h"),
                  {"h": h})
    problems = tb.verify()
    assert any("余额" in p and "≠" in p for p in problems)


@pytest.mark.parametrize("raw, expected", [("90", 90), ("1:30", 90), ("1:30:00", 90), (45, 45), (60.0, 60)])
def test_parse_minutes_accepts_whole_minutes(raw, expected):
    assert ledger.parse_minutes(raw) == expected


@pytest.mark.parametrize("raw, code", [("-30", "minutes_not_positive"), ("1.5", "minutes_not_integer"),
                                       ("0:30:15", "minutes_not_integer"), (12.25, "minutes_not_integer"),
                                       ("", "minutes_required"), ("abc", "minutes_invalid"), ("0", "minutes_not_positive"),
                                       ("1:75", "minutes_invalid")])
def test_parse_minutes_refuses_fractions_and_negatives(raw, code):
    with pytest.raises(InvalidInput) as err:
        ledger.parse_minutes(raw)
    assert err.value.code == code


def test_reversal_that_would_lift_stored_hours_over_the_cap_is_refused(tb):
    # Found by the property test: undoing a withdrawal gave the minutes back even when the
    # holder had since filled up to the cap.
    from plugins.timebank.domain import withdrawals
    tb.quanke.config["TIMEBANK_STORAGE_CAP_HOURS"] = 20
    h = tb.person()
    tb.deposit(h, 1200)
    cash = withdrawals.settle_cash(tb.quanke, tb.admin, holder_id=h, minutes=60)
    tb.deposit(h, 60)                                  # back at the cap: 1200 stored
    with pytest.raises(InvalidInput) as err, tb.quanke.db.session() as s:
        ledger.reverse(s, cash, actor="test", reason="录入错误", rules=tb.rules)
    assert err.value.code == "storage_cap_exceeded"
    assert sum(v for k, v in tb.balances(h).items() if k != "loan") == 1200
