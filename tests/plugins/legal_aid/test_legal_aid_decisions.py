"""Deciding (Art. 43): grant and refusal through the core workflow, the letters, the standard
recorded, the 7-day limit, deemed withdrawal, and the date a new standard takes effect."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.papers import issuance
from core.approval import rules
from core.deadlines import due_date_explanation
from core import acceptance
from core.platform.clock import today
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Application, CheckEvidence, Decision
from plugins.legal_aid.domain import decisions
from plugins.legal_aid.domain.deadlines import due_on
from plugins.legal_aid.models import Assignment
from plugins.legal_aid.domain.standards import load_bytes


def pdf_text(quanke, document_id) -> str:
    data = issuance.pdf_bytes(quanke, document_id)
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def decision_evidence(la, app_id) -> CheckEvidence:
    with la.quanke.db.session() as s:
        return s.scalars(select(CheckEvidence).where(
            CheckEvidence.application_id == app_id, CheckEvidence.phase == "decision",
            CheckEvidence.check_code == "legal_aid.eligibility").order_by(CheckEvidence.id.desc())).first()


def test_grant_records_the_standard_issues_the_letter_and_assigns_a_lawyer(la):
    app = la.accepted()
    decided = decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert decided.state == "approved"
    app = la.app(app.id)
    assert app.state == "issued"  # the grant letter is the certificate, issued by the follow-up
    evidence = decision_evidence(la, app.id)
    assert evidence.outcome == "pass" and evidence.list_version == "320000@2025-01-01:2490.00"
    assert evidence.matched["standard"]["monthly_per_head"] == "2490.00"
    assert evidence.matched["path"] == "means_test" and evidence.matched["per_head"] == "1100.00"
    certificate = la.documents(app.id, "certificate")[0]
    text = pdf_text(la.quanke, certificate.id)
    assert "给予法律援助决定书" in text and "测试citizen" in text and "第四十三条" in text
    assert "请求确认劳动关系或者支付劳动报酬" in text
    # the decision record reaches the letter (certificate_data): the standard that was applied
    assert "2490.00" in text and "第三十四条" in text
    # legal aid is not an administrative licence: no licensing-worded letter at all
    assert la.documents(app.id, "decision_approve") == []
    with la.quanke.db.session() as s:
        assignment = s.scalars(select(Assignment).where(Assignment.application_id == app.id)).one()
    assert assignment.kind == "grant" and assignment.status == "active"


def test_assignment_is_within_three_days_of_the_decision(la):
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    app = la.app(app.id)
    with la.quanke.db.session() as s:
        assignment = s.scalars(select(Assignment).where(Assignment.application_id == app.id)).one()
        expected = due_on(la.quanke.calendar(s), app.decided_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date(),
                          3)
    assert assignment.due_on == expected
    assert assignment.assigned_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() <= assignment.due_on
    event = la.audit("la_lawyer_assigned", app.id)[-1]
    assert event.data["on_time"] is True and "第四十三条" in event.data["basis"]


def test_an_ineligible_application_cannot_be_granted_and_nothing_changes(la):
    app = la.accepted(household="本人,测试citizen,9000\n配偶,王某某,9000")
    audit_before = la.audit_count()
    with pytest.raises(Forbidden) as err:
        decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert err.value.code == "not_eligible" and "第三十四条" in err.value.message
    assert la.app(app.id).state == "accepted" and la.audit_count() == audit_before


def test_refusal_letter_gives_reasons_and_the_right_to_object(la):
    app = la.accepted(household="本人,测试citizen,9000\n配偶,王某某,9000")
    decisions.decide(la.quanke, la.w.approver, app.id, grant=False, reasons="经核查收入证明属实")
    app = la.app(app.id)
    assert app.state == "rejected"
    with la.quanke.db.session() as s:
        reasons = s.scalars(select(Decision.reasons).where(Decision.application_id == app.id,
                                                           Decision.kind == "reject")).one()
    assert reasons.startswith("经核查收入证明属实") and "高于" in reasons
    letter = la.documents(app.id, "la_refusal")[0]
    assert letter.signed and letter.status == "valid"
    text = pdf_text(la.quanke, letter.id)
    assert "不予法律援助决定书" in text and "经核查收入证明属实" in text
    assert "第四十九条" in text and "异议" in text and "第四十三条" in text
    assert la.documents(app.id, "decision_reject") == []
    with la.quanke.db.session() as s:
        found = issuance.lookup(s, letter.verification_code)
    assert found.status == "valid" and found.kind_label == "不予法律援助决定书"


def test_refusing_an_eligible_application_needs_written_reasons(la):
    app = la.accepted()
    with pytest.raises(InvalidInput) as err:
        decisions.decide(la.quanke, la.w.approver, app.id, grant=False)
    assert err.value.code == "reasons_required" and la.app(app.id).state == "accepted"


def test_only_the_centre_decides(la):
    app = la.accepted()
    with pytest.raises(Forbidden):
        decisions.decide(la.quanke, la.w.counter, app.id, grant=True)
    with pytest.raises(Forbidden):
        decisions.decide(la.quanke, la.bureau, app.id, grant=True)


def received(la, app, day: dt.date):
    """Pretend the system recorded the receipt on ``day`` (10:00 in Beijing)."""
    with la.quanke.db.session() as s:
        s.get(Application, app.id).submitted_at = dt.datetime.combine(
            day, dt.time(2, 0), tzinfo=dt.timezone.utc)
    return app


def test_means_test_on_the_day_a_new_standard_takes_effect(la):
    """A lower standard from a recent day: an application *received* the day before uses the
    old one (eligible), one received that day the new one (not eligible); each decision
    records it. The day is the system's receipt, never a date anyone typed."""
    effective = today() - dt.timedelta(days=5)
    with la.quanke.db.session() as s:
        load_bytes(s, f"area_code,effective_from,monthly_per_head\n320000,{effective.isoformat()},1000\n".encode(),
                   filename="new.csv", actor="test")
    before = received(la, la.file(), effective - dt.timedelta(days=1))
    on = received(la, la.file(), effective)
    for app in (before, on):
        acceptance.accept(la.quanke, la.w.counter, app.id, warn_reason="测试")
    decisions.decide(la.quanke, la.w.approver, before.id, grant=True)
    with pytest.raises(Forbidden):
        decisions.decide(la.quanke, la.w.approver, on.id, grant=True)
    decisions.decide(la.quanke, la.w.approver, on.id, grant=False, reasons="")
    assert decision_evidence(la, before.id).list_version == "320000@2025-01-01:2490.00"
    refused = decision_evidence(la, on.id)
    assert refused.list_version == f"320000@{effective.isoformat()}:1000.00" and refused.outcome == "block"
    assert refused.matched["received_on"] == effective.isoformat()


def test_seven_day_limit_counted_in_calendar_days_moving_off_holidays(la):
    with la.quanke.db.session() as s:
        calendar = la.quanke.calendar(s)
    # 2026-09-28 + 7 days = 2026-10-05, inside the National Day holiday → the next working day
    assert due_on(calendar, dt.date(2026, 9, 28), 7) == dt.date(2026, 10, 8)
    assert due_on(calendar, dt.date(2026, 11, 2), 7) == dt.date(2026, 11, 9)       # a Monday: as is


def test_core_accept_counts_the_seven_days_from_receipt(la):
    """Received 2026-09-28, accepted the next day: seven calendar days from *receipt*
    (Art. 43) end on 10-05, inside National Day → 10-08."""
    app = la.file()
    with la.quanke.db.session() as s:   # the system recorded the receipt on 09-28
        s.get(Application, app.id).submitted_at = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc)
    at = dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing
    accepted = acceptance.accept(la.quanke, la.w.counter, app.id, warn_reason="测试", at=at)
    assert accepted.due_date == dt.date(2026, 10, 8)
    with la.quanke.db.session() as s:
        lines = due_date_explanation(la.quanke, s, s.get(Application, app.id)).lines()
    assert lines[0] == "收到申请日期：2026年9月28日（不计入）"
    assert any("法律援助法》第四十三条" in line for line in lines)


def test_missing_materials_are_listed_once_and_unanswered_notice_is_deemed_withdrawn(la):
    app = la.file(paper=())
    returned = acceptance.return_for_correction(
        la.quanke, la.w.counter, app.id, defects={"income_proof": "未提交经济困难证明材料或个人诚信承诺书"})
    with la.quanke.db.session() as s:
        notice = s.scalars(select(Decision).where(Decision.application_id == app.id)).one()
    assert returned.state == "correction_requested"
    assert [g["code"] for g in notice.gaps] == ["applicant_id", "case_materials", "income_proof"]
    assert rules.withdraw_expired_corrections(la.quanke, day=notice.correction_due) == 0
    assert rules.withdraw_expired_corrections(la.quanke, day=notice.correction_due + dt.timedelta(days=1)) == 1
    from plugins.legal_aid.domain.queries import case_list
    with la.quanke.db.session() as s:
        assert s.get(Application, app.id).state == "withdrawn"
        rows, total = case_list(la.quanke, s, status="deemed_withdrawn")
    assert total == 1 and rows[0].id == app.id and rows[0].status_label == "逾期未补正视为撤回"


def test_a_commitment_material_becomes_a_commitment_record(la):
    from core.credit import Commitment
    app = la.accepted(paper=("applicant_id", "case_materials", "integrity_commitment"))
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    with la.quanke.db.session() as s:
        commitment = s.scalars(select(Commitment).where(Commitment.application_id == app.id)).one()
    assert commitment.status == "pending" and "第四十一条" in commitment.text
    assert "个人诚信承诺" in decision_evidence(la, app.id).matched["reasons"][-1]
