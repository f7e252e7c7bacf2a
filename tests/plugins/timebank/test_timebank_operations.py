"""Loans, family transfer, storage cap, supermarket, cash, leaving, teams, 通存通兑 settlement,
the 5 December star job, statements and the monthly report."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.platform.clock import today as local_today  # 北京时间: the service day, not the machine's UTC date
from core.platform import audit
from core.platform.errors import Forbidden, InvalidInput, InvalidState
from core.platform.models import OutboxMessage

from plugins.timebank.domain import interbank, ledger, reports, requests, statements, supermarket, volunteers, withdrawals
from plugins.timebank import jobs
from plugins.timebank.models import (Account, CashPayout, Goods, Holder, Journal, Movement, StarAward, Team,
                                     Volunteer)


def _state(tb):
    with tb.quanke.db.session() as s:
        return (s.scalar(select(func.count(Movement.id))),
                sorted(s.execute(select(Account.key, Account.balance)).all()), audit.count(s))


# -- loans -----------------------------------------------------------------------------------------

def test_loan_for_an_eligible_person_repaid_first_from_later_deposits(tb):
    elder = tb.person("独居老人", born="19400302", lives_alone=True)
    withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=600, reason="每周助浴")
    assert tb.balances(elder) == {"service": 600, "goods": 0, "cash": 0, "loan": -600}
    tb.deposit(elder, 200)            # all of it repays the loan
    assert tb.balances(elder)["loan"] == -400 and tb.balances(elder)["service"] == 600
    tb.deposit(elder, 500)            # 400 repays, 100 is split 721
    assert tb.balances(elder) == {"service": 670, "goods": 20, "cash": 10, "loan": 0}
    assert tb.verify() == []


def test_loan_above_limit_or_for_ineligible_people_is_refused(tb):
    elder = tb.person(born="19400302", lives_alone=True)
    young = tb.person(born="19900302", lives_alone=True)
    with_family = tb.person(born="19400302", lives_alone=False)
    withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=1000, reason="助餐")
    before = _state(tb)
    with pytest.raises(InvalidInput) as err:     # limit 20 h = 1200 min; 1000 already lent
        withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=201, reason="助浴")
    assert err.value.code == "loan_above_limit" and "最多还可借 3小时20分" in err.value.message
    for holder in (young, with_family):
        with pytest.raises(Forbidden) as err:
            withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=holder, minutes=60, reason="助餐")
        assert err.value.code == "loan_not_eligible"
    with pytest.raises(Forbidden):               # only an administrator approves a loan
        withdrawals.grant_loan(tb.quanke, tb.worker, holder_id=elder, minutes=60, reason="助餐")
    assert _state(tb) == before
    volunteers.set_loan_exception(tb.quanke, tb.admin, with_family, "重度残疾，家属外地工作")
    withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=with_family, minutes=60, reason="助餐")
    assert tb.balances(with_family)["loan"] == -60


def test_a_loan_that_would_lift_stored_hours_over_the_cap_is_refused(tb):
    tb.quanke.config["TIMEBANK_STORAGE_CAP_HOURS"] = 20
    elder = tb.person(born="19400302", lives_alone=True)
    tb.deposit(elder, 1190)                       # 19 h 50 min stored, 10 min under the cap
    before = _state(tb)
    with pytest.raises(InvalidInput) as err:
        withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=11, reason="助浴")
    assert err.value.code == "storage_cap_exceeded" and "无需借贷" in err.value.message
    assert _state(tb) == before
    withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=10, reason="助浴")
    assert sum(v for k, v in tb.balances(elder).items() if k != "loan") == 1200


def test_a_loan_pays_for_a_service(tb):
    elder = tb.person(born="19380101", lives_alone=True)
    withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=120, reason="陪同就医")
    vid, vholder = tb.volunteer(categories=["nursing"])
    request = tb.request(elder, kind="hospital_escort", planned=120)
    requests.accept(tb.quanke, tb.admin, request.id, vid)
    requests.confirm(tb.quanke, tb.worker, request.id, 120)
    assert tb.balances(elder) == {"service": 0, "goods": 0, "cash": 0, "loan": -120}
    assert sum(tb.balances(vholder)[b] for b in ledger.BUCKETS) == 120


# -- family transfer ------------------------------------------------------------------------------

def test_transfer_to_a_direct_relative(tb):
    son, mother = tb.person("儿子"), tb.person("母亲", born="19450101")
    tb.deposit(son, 1000)  # service 700
    volunteers.add_relation(tb.quanke, tb.worker, holder_id=son, relative_id=mother, relation="parent",
                            evidence="户口簿")
    withdrawals.transfer_to_relative(tb.quanke, tb.citizen(son), holder_id=son, relative_id=mother, minutes="3:00")
    assert tb.balances(son)["service"] == 520 and tb.balances(mother)["service"] == 180
    assert tb.verify() == []


def test_transfer_to_a_non_relative_or_when_switched_off_is_refused(tb):
    a, stranger, mother = tb.person(), tb.person(), tb.person()
    tb.deposit(a, 1000)
    volunteers.add_relation(tb.quanke, tb.worker, holder_id=a, relative_id=mother, relation="parent",
                            evidence="户口簿")
    before = _state(tb)
    with pytest.raises(Forbidden) as err:
        withdrawals.transfer_to_relative(tb.quanke, tb.citizen(a), holder_id=a, relative_id=stranger, minutes=60)
    assert err.value.code == "not_a_relative"
    with pytest.raises(Forbidden):               # someone else cannot move a's hours
        withdrawals.transfer_to_relative(tb.quanke, tb.citizen(stranger), holder_id=a, relative_id=mother,
                                         minutes=60)
    tb.quanke.config["TIMEBANK_FAMILY_TRANSFER"] = False
    with pytest.raises(Forbidden) as err:
        withdrawals.transfer_to_relative(tb.quanke, tb.citizen(a), holder_id=a, relative_id=mother, minutes=60)
    assert err.value.code == "family_transfer_off"
    assert _state(tb) == before


# -- storage cap -----------------------------------------------------------------------------------

def test_hours_above_the_cap_go_to_the_donation_pool_and_the_volunteer_is_told(tb):
    tb.quanke.config["TIMEBANK_STORAGE_CAP_HOURS"] = 10
    v = tb.person("老志愿者", community="C032")
    tb.deposit(v, 500, community="C031")
    tb.deposit(v, 200, community="C031")     # 100 fit under 600, 100 above
    b = tb.balances(v)
    assert b["service"] + b["goods"] + b["cash"] == 600
    assert tb.community("C032")["donation"] == 100           # the volunteer's home pool
    tb.deposit(v, 30, community="C031")
    assert tb.community("C032")["donation"] == 130
    with tb.quanke.db.session() as s:
        notes = s.scalars(select(OutboxMessage).where(OutboxMessage.event == "timebank_cap")).all()
        assert len(notes) == 2 and "捐赠池" in notes[0].body
    assert tb.verify() == []


# -- supermarket, cash, wrong bucket ---------------------------------------------------------------

def test_supermarket_exchange_uses_goods_bucket_and_stock(tb):
    h = tb.person()
    tb.deposit(h, 600)  # goods 120
    goods = supermarket.add_goods(tb.quanke, tb.admin, community="C031", name="大米5斤", unit="袋",
                                  price_minutes=50, stock=2)
    supermarket.exchange(tb.quanke, tb.admin, holder_id=h, goods_id=goods.id, quantity=2)
    assert tb.balances(h)["goods"] == 20 and tb.community("C031")["supermarket"] == 100
    before = _state(tb)
    with pytest.raises(InvalidInput) as err:
        supermarket.exchange(tb.quanke, tb.admin, holder_id=h, goods_id=goods.id, quantity=1)
    assert err.value.code == "out_of_stock"
    supermarket.restock(tb.quanke, tb.admin, goods.id, quantity=5)
    with pytest.raises(InvalidInput) as err:     # 20 minutes left, 50 needed
        supermarket.exchange(tb.quanke, tb.admin, holder_id=h, goods_id=goods.id, quantity=1)
    assert err.value.code == "insufficient_balance"
    with tb.quanke.db.session() as s:
        assert s.get(Goods, goods.id).stock == 5
    assert _state(tb)[0] == before[0]


def test_cash_settlement_pays_at_the_configured_rate(tb):
    h = tb.person()
    tb.deposit(h, 1200)  # cash 120
    withdrawals.settle_cash(tb.quanke, tb.admin, holder_id=h, minutes=90)
    with tb.quanke.db.session() as s:
        payout = s.scalar(select(CashPayout))
        assert (payout.minutes, payout.amount_fen) == (90, 2250)   # 15.00 元/h
    assert tb.balances(h)["cash"] == 30


def test_withdrawing_from_the_wrong_bucket_is_refused(tb):
    h = tb.person()
    tb.deposit(h, 600)
    goods = supermarket.add_goods(tb.quanke, tb.admin, community="C031", name="食用油", unit="桶",
                                  price_minutes=30, stock=9)
    before = _state(tb)
    cases = [dict(bucket="service", purpose="cash", minutes=30),
             dict(bucket="service", purpose="exchange", goods_id=goods.id, quantity=1),
             dict(bucket="cash", purpose="exchange", goods_id=goods.id, quantity=1),
             dict(bucket="goods", purpose="transfer", minutes=30, relative_id=h)]
    for case in cases:
        with pytest.raises(InvalidInput) as err:
            withdrawals.withdraw(tb.quanke, tb.admin, holder_id=h, **case)
        assert err.value.code == "wrong_bucket"
    assert _state(tb) == before
    withdrawals.withdraw(tb.quanke, tb.admin, holder_id=h, bucket="goods", purpose="exchange", goods_id=goods.id,
                         quantity=1)
    assert tb.balances(h)["goods"] == 90


# -- leaving and teams ---------------------------------------------------------------------------

def test_leaving_settles_cash_gives_service_to_a_relative_and_donates_goods(tb):
    vid, h = tb.volunteer()
    tb.deposit(h, 600)  # 420 / 120 / 60
    daughter = tb.person()
    volunteers.add_relation(tb.quanke, tb.worker, holder_id=h, relative_id=daughter, relation="child",
                            evidence="出生证明")
    volunteers.leave(tb.quanke, tb.admin, h, disposition="settle", reason="搬离本街道", relative_id=daughter)
    assert tb.balances(daughter)["service"] == 420
    assert tb.community("C031")["donation"] == 120 and tb.community("C031")["cash_paid"] == 60
    with tb.quanke.db.session() as s:
        assert s.get(Holder, h).status == "closed" and s.get(Volunteer, vid).status == "left"
        assert {a.status for a in s.scalars(select(Account).where(Account.holder_id == h))} == {"closed"}
        assert s.scalar(select(CashPayout.amount_fen)) == 1500
    with pytest.raises(InvalidState):
        tb.deposit(h, 10)
    assert tb.verify() == []


def test_leaving_is_refused_with_an_open_loan_or_request(tb):
    elder = tb.person(born="19400101", lives_alone=True)
    withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=60, reason="助餐")
    with pytest.raises(InvalidState) as err:
        volunteers.leave(tb.quanke, tb.admin, elder, disposition="donate", reason="去世")
    assert err.value.code == "loan_outstanding"
    other = tb.person()
    tb.deposit(other, 200)
    tb.request(other, planned=30)
    with pytest.raises(InvalidState) as err:
        volunteers.leave(tb.quanke, tb.citizen(other), other, disposition="donate", reason="不想参加了")
    assert err.value.code == "open_requests"


def test_a_team_is_an_account_holder(tb):
    leader, _ = tb.volunteer("队长")
    member, _ = tb.volunteer("队员")
    team = volunteers.create_team(tb.quanke, tb.admin, name="姚坊门维修队", community="C031", leader_id=leader,
                                  member_ids=[member], categories=["repairs"])
    r = tb.person()
    tb.deposit(r, 300)
    request = tb.request(r, kind="plumbing", planned=120)
    requests.assign_team(tb.quanke, tb.admin, request.id, team.id)
    requests.confirm(tb.quanke, tb.worker, request.id, 100)
    with tb.quanke.db.session() as s:
        team_holder = s.get(Team, team.id).holder_id
    assert tb.balances(team_holder) == {"service": 70, "goods": 20, "cash": 10, "loan": 0}
    volunteers.leave(tb.quanke, tb.admin, team_holder, disposition="donate", reason="团队解散")
    with tb.quanke.db.session() as s:
        assert s.get(Team, team.id).status == "dissolved"
    assert tb.community("C031")["donation"] == 100


# -- 通存通兑 ----------------------------------------------------------------------------------------

def test_cross_community_service_shows_who_owes_whom_and_settles(tb):
    recipient = tb.person("外社区居民", community="C011")
    tb.deposit(recipient, 300, community="C011")     # hours earned at home (C011)
    vid, vholder = tb.volunteer("C031志愿者", community="C031")
    request = tb.request(recipient, planned=120, community="C031")   # served in C031
    requests.accept(tb.quanke, tb.admin, request.id, vid)
    requests.confirm(tb.quanke, tb.worker, request.id, 120)
    with tb.quanke.db.session() as s:
        report = interbank.report(s)
    net = {(d.debtor, d.creditor): d.minutes for d in report["net"]}
    assert net == {("C011", "C031"): 120}                # C011's resident spent hours served by C031
    assert report["positions"]["C011"] == -120 and report["positions"]["C031"] == 120
    with pytest.raises(InvalidInput) as err:
        interbank.settle(tb.quanke, tb.admin, debtor="C011", creditor="C031", minutes=121)
    assert err.value.code == "settle_above_debt"
    interbank.settle(tb.quanke, tb.admin, debtor="C011", creditor="C031", minutes=120)
    with tb.quanke.db.session() as s:
        report = interbank.report(s)
    assert report["net"] == [] and report["positions"]["C011"] == 0 == report["positions"]["C031"]
    assert tb.verify() == []


def test_a_community_administrator_manages_only_their_community(tb):
    from core.people.users import create_user
    with tb.quanke.db.session() as s:
        local_admin = create_user(s, username="c031_admin", name="姚坊门管理员", password="test-pass-123",
                                  roles=["approver:timebank"], centre_code=_station(s, "C031"))
    h = tb.person(community="C031")
    tb.deposit(h, 600)
    withdrawals.settle_cash(tb.quanke, local_admin, holder_id=h, minutes=10)
    with pytest.raises(Forbidden) as err:
        supermarket.add_goods(tb.quanke, local_admin, community="C011", name="毛巾", unit="条", price_minutes=10,
                              stock=1)
    assert err.value.code == "other_community"


def _station(session, code):
    from core.platform.models import Centre
    session.add(Centre(code=code, name=f"{code}社区便民服务站", level="community"))
    session.flush()
    return code


# -- stars -------------------------------------------------------------------------------------

def test_star_rating_job_on_volunteer_day(tb):
    stars_by_hours = {}
    for hours in (99, 100, 300, 650, 1000, 1500):
        vid, h = tb.volunteer(f"{hours}小时")
        tb.deposit(h, hours * 60)
        stars_by_hours[hours] = vid
    tb.quanke.config["TIMEBANK_STORAGE_CAP_HOURS"] = 100000
    made = jobs.award_stars(tb.quanke, day="2026-12-05")
    assert made == 5
    with tb.quanke.db.session() as s:
        got = {v: s.scalar(select(StarAward.stars).where(StarAward.volunteer_id == v)) for v in stars_by_hours.values()}
        assert s.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.event == "timebank_stars")) == 5
    assert [got[stars_by_hours[h]] for h in (99, 100, 300, 650, 1000, 1500)] == [None, 1, 2, 3, 4, 5]
    assert jobs.award_stars(tb.quanke, day="2026-12-05") == 0      # idempotent for the year
    from plugins.timebank import plugin
    assert {"name": "timebank-stars", "func": "plugins.timebank.jobs.award_stars",
            "cron": "0 1 5 12 *"} in plugin.register_jobs()


def test_star_job_counts_only_hours_served_before_the_day(tb):
    vid, h = tb.volunteer()
    tb.deposit(h, 100 * 60)
    assert jobs.award_stars(tb.quanke, day="2020-12-05") == 0     # all hours were served later


def test_star_certificate_is_a_sealed_pdf(tb):
    from pypdf import PdfReader
    import io
    from plugins.timebank import documents
    pdf = documents.star_certificate(tb.quanke, name="张三", id_masked="3201**********0011", volunteer_no="ZYZ031000001",
                                     community="姚坊门社区", minutes=6000, stars=1, awarded_on=dt.date(2026, 12, 5),
                                     code="ABCDEFGHJKMNPQRS")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "星级志愿者证书" in text and "张三" in text and "100小时" in text
    from core.papers.seal import verify_pdf
    assert verify_pdf(pdf).intact


# -- statements and reports --------------------------------------------------------------------

def test_statement_is_a_sealed_pdf_of_the_period(tb):
    import io
    from pypdf import PdfReader
    from core.papers.seal import verify_pdf
    h = tb.person("对账人")
    tb.deposit(h, 600)
    withdrawals.settle_cash(tb.quanke, tb.admin, holder_id=h, minutes=30)
    today = local_today()
    row, pdf = statements.issue(tb.quanke, tb.citizen(h), holder_id=h, start=today - dt.timedelta(days=30), end=today)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "时间银行对账单" in text and "现金结算" in text and "7小时" in text     # service closing 420 min
    assert verify_pdf(pdf).intact and row.closing["cash"] == 30
    assert statements.stored_pdf(tb.quanke, row) == pdf
    with pytest.raises(Forbidden):
        statements.issue(tb.quanke, tb.citizen(tb.person()), holder_id=h, start=today, end=today)
    with pytest.raises(InvalidInput):
        statements.issue(tb.quanke, tb.admin, holder_id=h, start=today, end=today - dt.timedelta(days=1))


def test_monthly_report_per_community(tb):
    r = tb.person(community="C011")
    tb.deposit(r, 600, community="C011", category="housekeeping")
    vid, vholder = tb.volunteer(community="C031")
    request = tb.request(r, planned=60, community="C031")
    requests.accept(tb.quanke, tb.admin, request.id, vid)
    requests.confirm(tb.quanke, tb.worker, request.id, 60)
    month = local_today().strftime("%Y-%m")
    row = reports.generate(tb.quanke, month=month)
    lines = row.csv.lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    rows = {line.split(",")[1]: dict(zip(header, line.split(","))) for line in lines[1:]}
    assert len(rows) == 13
    assert rows["C011"]["存入-家政服务类(小时)"] == "10.0" and rows["C011"]["活跃志愿者(人)"] == "1"
    assert rows["C031"]["存入-关爱交流类(小时)"] == "1.0" and rows["C031"]["支取服务-关爱交流类(小时)"] == "1.0"
    assert rows["C031"]["完成服务(单)"] == "1" and rows["C031"]["平均匹配等待(小时)"] == "0.0"
    assert row.svg.startswith("<svg") and "姚坊门社区" in row.svg and "<script" not in row.svg
    assert reports.generate(tb.quanke, month=month).id == row.id          # kept, not rebuilt


# -- demo data -----------------------------------------------------------------------------------

def test_demo_data_is_consistent_and_idempotent(tb):
    from plugins.timebank import demo
    from plugins.timebank.models import MonthlyReport, ServiceRequest
    created = demo.load(tb.quanke, scale="demo")
    assert created > 100
    assert tb.verify() == []
    with tb.quanke.db.session() as s:
        assert s.scalar(select(func.count(Team.id))) == 4
        assert s.scalar(select(func.count(Volunteer.id))) == 60
        assert s.scalar(select(func.count(ServiceRequest.id)).where(ServiceRequest.status == "rated")) > 20
        assert s.scalar(select(func.count(MonthlyReport.id))) == 3
        months = {j.at.month for j in s.scalars(select(Journal).where(Journal.kind == "service"))}
        assert len(months) >= 3                                          # a few months of movements
    assert demo.load(tb.quanke, scale="demo") == 0
