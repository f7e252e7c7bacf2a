"""Certification through the core workflow, service requests, matching, confirmation, follow-up."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.platform import audit
from core import acceptance, approval
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState
from core.platform.models import Application, OutboxMessage
from core.testing import file_at_counter

from plugins.timebank import jobs
from plugins.timebank.domain import ledger, matching, requests
from plugins.timebank.models import Account, Movement, ServiceRequest, Volunteer




def _ledger_state(tb):
    with tb.quanke.db.session() as s:
        return (s.scalar(select(func.count(Movement.id))),
                sorted(s.execute(select(Account.key, Account.balance)).all()), audit.count(s))


# -- certification ------------------------------------------------------------------------------

def _certify(tb, form=None):
    w = tb.world
    app = file_at_counter(w, "timebank.volunteer", form=form)
    acceptance.accept(tb.quanke, w.acceptor, app.id)
    approval.claim(tb.quanke, w.approver, app.id)
    return approval.approve(tb.quanke, w.approver, app.id)


def test_approved_certification_creates_profile_and_accounts(tb):
    app = _certify(tb, form={"community": "C031", "categories": ["nursing", "errands"], "kinds": ["pharmacy"],
                             "skills": "退休护士，会量血压", "availability": "工作日上午、周六全天"})
    with tb.quanke.db.session() as s:
        v = s.scalar(select(Volunteer).where(Volunteer.application_id == app.id))
        assert v is not None and v.status == "active" and v.number.startswith("ZYZ031")
        assert v.categories == ["nursing", "errands"] and v.kinds == ["pharmacy"]
        assert "1am" in v.availability and "6ev" in v.availability and "7am" not in v.availability
        assert ledger.balances(s, v.holder_id) == {"service": 0, "goods": 0, "cash": 0, "loan": 0}
        assert s.scalar(select(func.count(Account.id)).where(Account.holder_id == v.holder_id)) == 4
        assert s.scalar(select(OutboxMessage).where(OutboxMessage.event == "timebank_certified")) is not None
        app_row = s.get(Application, app.id)
        from plugins.timebank import plugin
        assert plugin.certificate_data(app_row, s) == {"volunteer_no": v.number}
    assert jobs.certify_pending(tb.quanke) == 0          # idempotent: nothing left to catch up
    with pytest.raises(Forbidden) as err:                 # already certified → blocked at acceptance
        w = tb.world
        again = file_at_counter(w, "timebank.volunteer")
        acceptance.accept(tb.quanke, w.acceptor, again.id)
    assert err.value.code == "checks_blocked"


def test_sweep_certifies_an_approval_whose_job_was_lost(tb, monkeypatch):
    def redis_down(*args, **kwargs):
        raise ConnectionError("Redis 不可用")
    monkeypatch.setattr(tb.quanke.jobs, "enqueue", redis_down)
    app = _certify(tb)                                    # the approval itself is not undone
    monkeypatch.undo()
    with tb.quanke.db.session() as s:
        assert s.scalar(select(Volunteer).where(Volunteer.application_id == app.id)) is None
    assert jobs.certify_pending(tb.quanke) == 1
    assert jobs.certify_pending(tb.quanke) == 0


# -- requests and confirmation -----------------------------------------------------------------

@pytest.fixture
def served(tb):
    """A recipient with 120 service minutes, a volunteer, and a request assigned to them."""
    recipient = tb.person("王奶奶", born="19400101", lives_alone=True)
    tb.deposit(recipient, 172)  # 172 → service 121 (rounding), goods 34, cash 17
    vid, vholder = tb.volunteer("李志愿")
    request = tb.request(recipient, planned=90)
    requests.accept(tb.quanke, tb.admin, request.id, vid)
    return recipient, vid, vholder, request


def test_filing_holds_the_planned_minutes_and_cancel_releases_them(tb):
    r = tb.person()
    tb.deposit(r, 200)  # service 140
    request = tb.request(r, planned=60)
    assert tb.balances(r)["service"] == 80 and tb.community("C031")["escrow"] == 60
    requests.close_unserved(tb.quanke, tb.worker, request.id, reason="服务对象住院")
    assert tb.balances(r)["service"] == 140 and tb.community("C031")["escrow"] == 0
    assert tb.verify() == []


def test_filing_without_enough_hours_is_refused(tb):
    r = tb.person()
    before = _ledger_state(tb)
    with pytest.raises(InvalidInput) as err:
        tb.request(r, planned=60)
    assert err.value.code == "insufficient_balance"
    assert _ledger_state(tb) == before
    with tb.quanke.db.session() as s:
        assert s.scalar(select(func.count(ServiceRequest.id))) == 0


def test_confirmation_deposits_721_and_pays_from_the_hold(tb, served):
    recipient, vid, vholder, request = served
    citizen = tb.citizen(recipient)
    requests.confirm(tb.quanke, citizen, request.id, "75")
    assert tb.balances(vholder) == {"service": 53, "goods": 15, "cash": 7, "loan": 0}
    assert tb.balances(recipient)["service"] == 121 - 75       # 90 held, 15 unused returned
    c = tb.community("C031")
    assert c["escrow"] == 0 and c["redeemed"] == 75
    with tb.quanke.db.session() as s:
        row = s.get(ServiceRequest, request.id)
        assert (row.status, row.confirmed_minutes, row.confirmer_role) == ("confirmed", 75, "recipient")
    assert tb.verify() == []


def test_confirming_twice_is_refused_and_changes_nothing(tb, served):
    recipient, _, _, request = served
    requests.confirm(tb.quanke, tb.worker, request.id, 60)
    before = _ledger_state(tb)
    with pytest.raises(Conflict) as err:
        requests.confirm(tb.quanke, tb.worker, request.id, 60)
    assert err.value.code == "already_confirmed" and "不能重复确认" in err.value.message
    assert _ledger_state(tb) == before


def test_no_confirmation_for_a_service_that_did_not_happen(tb):
    r = tb.person()
    tb.deposit(r, 300)
    vid, _ = tb.volunteer()
    unassigned = tb.request(r, planned=30)
    future = tb.request(r, planned=30, days=2)
    requests.accept(tb.quanke, tb.admin, future.id, vid)
    cancelled = tb.request(r, planned=30, hour=14)
    requests.close_unserved(tb.quanke, tb.worker, cancelled.id, reason="不需要了")
    before = _ledger_state(tb)
    for req, code in ((unassigned, "no_service"), (future, "service_not_happened"), (cancelled, "no_service")):
        with pytest.raises(InvalidState) as err:
            requests.confirm(tb.quanke, tb.worker, req.id, 30)
        assert err.value.code == code
    assert _ledger_state(tb) == before


@pytest.mark.parametrize("minutes, code", [("-30", "minutes_not_positive"), ("45.5", "minutes_not_integer"),
                                           ("0:45:30", "minutes_not_integer"), (91, "minutes_above_planned"),
                                           (0, "minutes_not_positive")])
def test_bad_durations_are_refused(tb, served, minutes, code):
    _, _, _, request = served
    before = _ledger_state(tb)
    with pytest.raises(InvalidInput) as err:
        requests.confirm(tb.quanke, tb.worker, request.id, minutes)
    assert err.value.code == code
    assert _ledger_state(tb) == before


def test_who_may_confirm(tb, served):
    recipient, vid, vholder, request = served
    stranger = tb.citizen(tb.person("路人"))
    with pytest.raises(Forbidden):
        requests.confirm(tb.quanke, stranger, request.id, 60)
    with pytest.raises(Forbidden) as err:
        requests.confirm(tb.quanke, tb.citizen(vholder), request.id, 60)
    assert err.value.code == "provider_cannot_confirm"
    daughter = tb.person("女儿")
    from plugins.timebank.domain import volunteers
    volunteers.add_relation(tb.quanke, tb.worker, holder_id=recipient, relative_id=daughter, relation="child",
                            evidence="户口簿")
    done = requests.confirm(tb.quanke, tb.citizen(daughter), request.id, 60)
    assert done.confirmer_role == "family"


def test_follow_up_rating_once_and_only_after_confirmation(tb, served):
    _, _, _, request = served
    with pytest.raises(InvalidState):
        requests.follow_up(tb.quanke, tb.worker, request.id, rating=5)
    requests.confirm(tb.quanke, tb.worker, request.id, 60)
    with pytest.raises(InvalidInput):
        requests.follow_up(tb.quanke, tb.worker, request.id, rating=6)
    requests.follow_up(tb.quanke, tb.worker, request.id, rating=4, comment="很耐心")
    with pytest.raises(Conflict):
        requests.follow_up(tb.quanke, tb.worker, request.id, rating=5)


def test_a_wrong_confirmation_is_reversed_and_confirmed_again(tb, served):
    recipient, _, vholder, request = served
    requests.confirm(tb.quanke, tb.worker, request.id, 90)
    requests.correct_confirmation(tb.quanke, tb.admin, request.id, reason="实际只服务了一小时")
    assert tb.balances(vholder) == {"service": 0, "goods": 0, "cash": 0, "loan": 0}
    assert tb.balances(recipient)["service"] == 121 - 90 and tb.community("C031")["escrow"] == 90
    requests.confirm(tb.quanke, tb.worker, request.id, 60)
    assert sum(tb.balances(vholder)[b] for b in ledger.BUCKETS) == 60
    assert tb.balances(recipient)["service"] == 61
    assert tb.verify() == []


def test_first_volunteer_to_accept_wins(tb):
    r = tb.person()
    tb.deposit(r, 200)
    (v1, h1), (v2, h2) = tb.volunteer(), tb.volunteer()
    request = tb.request(r, planned=60)
    requests.propose(tb.quanke, tb.admin, request.id, [v1, v2])
    requests.accept(tb.quanke, tb.citizen(h1), request.id, v1)
    with pytest.raises(Conflict) as err:
        requests.accept(tb.quanke, tb.citizen(h2), request.id, v2)
    assert err.value.code == "request_taken"
    stranger_v, stranger_h = tb.volunteer()
    other = tb.request(r, planned=30, hour=15)
    with pytest.raises(Forbidden):               # not offered to them
        requests.accept(tb.quanke, tb.citizen(stranger_h), other.id, stranger_v)


# -- matching ------------------------------------------------------------------------------------

def test_matching_ranks_same_community_then_skill_then_availability(tb):
    r = tb.person(community="C031")
    tb.deposit(r, 300)
    start, _ = tb.window(-1, 9, 2)
    slot = f"{start.isoweekday()}am"
    a, _ = tb.volunteer("甲", community="C031", categories=["companionship"], kinds=["chat"], slots=[slot])
    d, _ = tb.volunteer("丁", community="C031", categories=["companionship"], kinds=["chat"], slots=[])
    c, _ = tb.volunteer("丙", community="C031", categories=["companionship"], slots=[slot])
    b, _ = tb.volunteer("乙", community="C032", categories=["companionship"], kinds=["chat"], slots=[slot])
    tb.volunteer("戊", community="C031", categories=["repairs"], kinds=["plumbing"], slots=[slot])
    busy, _ = tb.volunteer("己", community="C031", categories=["companionship"], kinds=["chat"], slots=[slot])
    blocking = tb.request(r, planned=30, hour=10, hours=1)
    requests.accept(tb.quanke, tb.admin, blocking.id, busy)
    request = tb.request(r, kind="chat", planned=60)
    with tb.quanke.db.session() as s:
        ranked = matching.rank(s, s.get(ServiceRequest, request.id))
    assert [x.volunteer_id for x in ranked] == [a, d, c, b]
    assert ranked[0].reasons[:3] == ["同社区", "擅长该服务内容", "该时段有空"]
    assert ranked[-1].reasons[0] == "外社区（通存通兑）"


def test_matching_prefers_better_ratings_among_equals(tb):
    r = tb.person()
    tb.deposit(r, 1000)
    good, _ = tb.volunteer("好", kinds=["chat"])
    plain, _ = tb.volunteer("平", kinds=["chat"])
    for hour, rating, who in ((8, 5, good), (10, 5, good), (13, 2, plain)):
        req = tb.request(r, planned=30, hour=hour, hours=1)
        requests.accept(tb.quanke, tb.admin, req.id, who)
        requests.confirm(tb.quanke, tb.worker, req.id, 30)
        requests.follow_up(tb.quanke, tb.worker, req.id, rating=rating)
    request = tb.request(r, planned=30, hour=16, hours=1)
    with tb.quanke.db.session() as s:
        ranked = matching.rank(s, s.get(ServiceRequest, request.id))
    assert [x.volunteer_id for x in ranked] == [good, plain]
    assert ranked[0].rating > 4.0 > ranked[1].rating


def test_the_issued_volunteer_card_carries_the_volunteer_number(tb):
    import io

    from pypdf import PdfReader

    from core.papers import issuance
    from core import approval
    app = _certify(tb)
    approval.issue(tb.quanke, tb.world.approver, app.id)
    with tb.quanke.db.session() as s:
        number = s.scalar(select(Volunteer.number).where(Volunteer.application_id == app.id))
        doc = next(d for d in issuance.documents_for(s, app.id) if d.kind == "certificate")
    pdf = issuance.pdf_bytes(tb.quanke, doc.id)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "时间银行志愿者证" in text and number in text


def test_an_eligible_member_short_of_hours_is_offered_the_loan_path(tb):
    """Issue 21: an elder the loan rules cover is pointed to a loan, not left at 余额不足."""
    from plugins.timebank.domain import withdrawals
    elder = tb.person("独居老人", born="19400302", lives_alone=True)
    tb.deposit(elder, 50)                                   # service 35: 25 short of 60
    with pytest.raises(InvalidInput) as err:
        tb.request(elder, planned=60)
    assert err.value.code == "insufficient_balance"
    assert "符合借贷条件" in err.value.message and "还差 25分钟" in err.value.message
    assert err.value.details["loan_path"] == {"holder_id": elder, "short": 25,
                                              "available": err.value.details["loan_path"]["available"]}
    young = tb.person(born="19900302", lives_alone=True)    # not covered: the plain refusal
    tb.deposit(young, 50)
    with pytest.raises(InvalidInput) as plain:
        tb.request(young, planned=60)
    assert "借贷" not in plain.value.message and "loan_path" not in plain.value.details
    withdrawals.grant_loan(tb.quanke, tb.admin, holder_id=elder, minutes=25, reason="助浴")   # the path works
    assert tb.request(elder, planned=60).held_minutes == 60
