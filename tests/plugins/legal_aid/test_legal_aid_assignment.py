"""Urgent aid before the decision (Art. 44) and lawyer assignment from the roster (Art. 43)."""
import datetime as dt

import pytest
from sqlalchemy import select

from core.platform.clock import today
from core.platform.errors import Conflict, InvalidInput, InvalidState
from plugins.legal_aid.domain import decisions, roster
from plugins.legal_aid.domain.followup import sweep
from plugins.legal_aid.models import Assignment, Lawyer, UrgentAid


def assignments(la, app_id) -> list[Assignment]:
    with la.quanke.db.session() as s:
        return list(s.scalars(select(Assignment).where(Assignment.application_id == app_id)
                              .order_by(Assignment.id)))


def urgent_row(la, app_id) -> UrgentAid | None:
    with la.quanke.db.session() as s:
        return s.scalar(select(UrgentAid).where(UrgentAid.application_id == app_id))


# -- urgent aid -----------------------------------------------------------------------------------

def test_urgent_aid_before_the_decision_is_recorded_and_continues_after_the_grant(la):
    app = la.accepted(urgent="y", urgent_reason="limitation",
                      urgent_deadline=(today() + dt.timedelta(days=3)).isoformat())
    decisions.give_urgent_aid(la.quanke, la.w.approver, app.id, reason="limitation",
                              deadline_on=today() + dt.timedelta(days=3))
    urgent = urgent_row(la, app.id)
    assert urgent.status == "in_force" and la.app(app.id).state == "accepted"   # no decision yet
    [first] = assignments(la, app.id)
    assert first.kind == "urgent" and first.status == "active"
    event = la.audit("la_urgent_aid", app.id)[0]
    assert event.data["before_decision"] is True and "第四十四条" in event.data["basis"]
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert urgent_row(la, app.id).status == "granted"
    assert [(a.id, a.status) for a in assignments(la, app.id)] == [(first.id, "active")]  # same lawyer


def test_urgent_aid_ends_when_aid_is_refused(la):
    app = la.accepted(household="本人,测试citizen,9000")
    decisions.give_urgent_aid(la.quanke, la.w.approver, app.id, reason="preservation",
                              note="对方正在转移财产，需立即申请财产保全")
    decisions.decide(la.quanke, la.w.approver, app.id, grant=False, reasons="")
    assert urgent_row(la, app.id).status == "ended"
    assert [a.status for a in assignments(la, app.id)] == ["ended"]


@pytest.mark.parametrize("kw,code", [
    ({"reason": "limitation", "deadline_on": None}, "deadline_required"),
    ({"reason": "limitation", "deadline_on": "far"}, "not_urgent"),
    ({"reason": "limitation", "deadline_on": "past"}, "deadline_passed"),
    ({"reason": "preservation", "note": ""}, "note_required"),
    ({"reason": "boredom"}, "invalid_urgent_reason"),
])
def test_urgent_aid_bad_input_saves_nothing(la, kw, code):
    days = {"far": 7, "past": -1}
    if kw.get("deadline_on") in days:
        kw = {**kw, "deadline_on": today() + dt.timedelta(days=days[kw["deadline_on"]])}
    app = la.accepted()
    before = la.audit_count()
    with pytest.raises(InvalidInput) as err:
        decisions.give_urgent_aid(la.quanke, la.w.approver, app.id, **kw)
    assert err.value.code == code
    assert urgent_row(la, app.id) is None and assignments(la, app.id) == [] and la.audit_count() == before


def test_urgent_aid_only_before_a_decision_and_once(la):
    app = la.accepted()
    decisions.give_urgent_aid(la.quanke, la.w.approver, app.id, reason="other_statutory", note="依据规定")
    with pytest.raises(Conflict):
        decisions.give_urgent_aid(la.quanke, la.w.approver, app.id, reason="other_statutory", note="again")
    decided = la.accepted()
    decisions.decide(la.quanke, la.w.approver, decided.id, grant=True)
    with pytest.raises(InvalidState):
        decisions.give_urgent_aid(la.quanke, la.w.approver, decided.id, reason="other_statutory", note="x")


# -- the roster -----------------------------------------------------------------------------------

def test_caseload_is_balanced(la):
    lawyers = []
    for _ in range(3):
        app = la.accepted()
        decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
        lawyers.append(assignments(la, app.id)[0].lawyer_id)
    assert len(set(lawyers)) == 3
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert assignments(la, app.id)[0].lawyer_id == lawyers[0]   # all at 1: roster order again


def test_a_declared_conflict_excludes_the_whole_firm(la):
    with la.quanke.db.session() as s:
        first = s.scalars(select(Lawyer).where(Lawyer.firm == "甲律师事务所").order_by(Lawyer.id)).first()
        roster.add_conflict(s, first.id, party_name="某建筑劳务有限公司（南京）", note="常年法律顾问", actor="test")
    app = la.accepted(opposing_party="某建筑劳务有限公司(南京)")
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    chosen = assignments(la, app.id)[0]
    assert chosen.lawyer.firm == "丙律师事务所"
    excluded = la.audit("la_lawyer_assigned", app.id)[0].data["excluded"]
    assert len(excluded) == 2 and all("对方当事人" in why for why in excluded.values())


def test_a_firm_acting_for_the_opposing_party_is_excluded(la):
    first = la.accepted(opposing_party="某公司")
    decisions.decide(la.quanke, la.w.approver, first.id, grant=True)
    firm = assignments(la, first.id)[0].lawyer.firm
    # the next case is against our first applicant: that firm acts for them
    second = la.accepted(opposing_party="测试citizen")
    decisions.decide(la.quanke, la.w.approver, second.id, grant=True)
    assert assignments(la, second.id)[0].lawyer.firm != firm


def test_reassignment_ends_the_old_assignment_and_never_picks_the_same_lawyer(la):
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    old = assignments(la, app.id)[0]
    new = decisions.reassign(la.quanke, la.w.approver, app.id, reason="原承办律师因病无法继续承办")
    rows = assignments(la, app.id)
    assert [r.status for r in rows] == ["ended", "active"] and new.lawyer_id != old.lawyer_id
    assert rows[0].end_reason.startswith("改派") and la.audit("la_lawyer_reassigned", app.id)
    with pytest.raises(InvalidInput):
        decisions.reassign(la.quanke, la.w.approver, app.id, reason="", lawyer_id=None)
    with pytest.raises(InvalidInput):
        decisions.reassign(la.quanke, la.w.approver, app.id, reason="x", lawyer_id=new.lawyer_id)


def test_no_lawyer_available_waits_and_the_sweep_assigns_once_one_is_added(la):
    with la.quanke.db.session() as s:
        for lawyer in s.scalars(select(Lawyer)):
            roster.set_active(s, lawyer.id, active=False, actor="test", reason="测试：全部停用")
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert la.app(app.id).state == "issued" and assignments(la, app.id) == []
    with pytest.raises(Conflict) as err:
        decisions.assign_now(la.quanke, la.w.approver, app.id)
    assert err.value.code == "no_lawyer_available"
    la.add_lawyer("丁律师", "13201201010000099", "丁律师事务所")
    assert sweep(la.quanke) == 1
    [row] = assignments(la, app.id)
    assert row.lawyer.name == "丁律师" and row.due_on is not None


def test_roster_bad_input(la):
    with pytest.raises(InvalidInput):
        la.add_lawyer("戊律师", "123", "所")
    with pytest.raises(Conflict):
        la.add_lawyer("戊律师", "13201201010000011", "所")   # licence already on the roster


def test_decisions_made_through_the_core_alone_are_followed_up(la):
    """A worker or script approving through the core: the application_event hook issues the
    grant letter, assigns the lawyer and writes the refusal letter; the sweep finds nothing."""
    from core import approval
    granted = la.accepted()
    approval.claim(la.quanke, la.w.approver, granted.id)
    approval.approve(la.quanke, la.w.approver, granted.id)
    refused = la.accepted(household="本人,测试citizen,9000")
    approval.claim(la.quanke, la.w.approver, refused.id)
    approval.reject(la.quanke, la.w.approver, refused.id, reasons="收入高于标准（第三十四条）")
    assert la.app(granted.id).state == "issued" and len(assignments(la, granted.id)) == 1
    assert [d.status for d in la.documents(refused.id, "la_refusal")] == ["valid"]
    assert sweep(la.quanke) == 0


def test_the_sweep_catches_up_when_the_follow_up_job_was_lost(la, monkeypatch):
    from core import approval
    from plugins.legal_aid.domain import followup
    monkeypatch.setattr(followup, "enqueue_follow_up", lambda quanke, app_id: None)  # the job is lost
    granted = la.accepted()
    approval.claim(la.quanke, la.w.approver, granted.id)
    approval.approve(la.quanke, la.w.approver, granted.id)
    assert la.app(granted.id).state == "approved" and assignments(la, granted.id) == []
    assert sweep(la.quanke) == 1
    assert la.app(granted.id).state == "issued" and len(assignments(la, granted.id)) == 1
    assert sweep(la.quanke) == 0   # idempotent
