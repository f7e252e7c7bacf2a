"""Criminal legal aid: applications by the suspect or defendant (Art. 24) and by the victim's
side (Art. 29) through the core workflow with the means test, and notifications by the
court, procuratorate or police (Arts. 25, 28) registered by staff, never means tested, always
assigned a lawyer within three days of the notice (Art. 36)."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core import acceptance
from core.papers import issuance
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Application, CheckEvidence
from core.testing import snapshot
from plugins.legal_aid.domain import decisions
from plugins.legal_aid.domain.eligibility import ELIGIBLE, INELIGIBLE, Facts, assess
from plugins.legal_aid.domain.law import NOTIFICATION_GROUNDS
from plugins.legal_aid.models import Assignment

SERVICE = "legal_aid.application"

DEFENCE = {"category": "criminal_defence", "criminal_reason": "hardship", "opposing_party": "",
           "matter": "涉嫌帮助信息网络犯罪活动罪被取保候审，家庭困难无力委托辩护人。", "incident_date": "2026-04-01"}


def pdf_text(quanke, document_id) -> str:
    data = issuance.pdf_bytes(quanke, document_id)
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def decision_path(la, app_id) -> str:
    with la.quanke.db.session() as s:
        return s.scalars(select(CheckEvidence.matched).where(
            CheckEvidence.application_id == app_id, CheckEvidence.phase == "decision")
            .order_by(CheckEvidence.id.desc())).first()["path"]


# -- Art. 24 and 29: applications, means tested ---------------------------------------------

def test_a_defendant_in_hardship_is_granted_with_the_means_test_and_the_letter_cites_art24(la):
    app = la.accepted(**DEFENCE)
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert la.app(app.id).state == "issued" and decision_path(la, app.id) == "means_test"
    text = pdf_text(la.quanke, la.documents(app.id, "certificate")[0].id)
    assert "第二十四条" in text and "第三十四条" in text


def test_a_defendant_above_the_standard_is_refused(la):
    app = la.accepted(**DEFENCE, household="本人,测试citizen,9000")
    with pytest.raises(Forbidden) as err:
        decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert err.value.code == "not_eligible" and "第三十四条" in err.value.message
    decisions.decide(la.quanke, la.w.approver, app.id, grant=False, reasons="")
    assert la.app(app.id).state == "rejected"


def test_other_reasons_are_not_means_tested_but_a_grant_needs_written_reasons(la):
    """Art. 24 "其他原因" sets no test: no household is needed, the centre judges and writes why."""
    app = la.accepted(**{**DEFENCE, "criminal_reason": "other", "criminal_reason_note": "羁押于看守所，无法自行委托",
                         "household": "", "savings": ""}, paper=("applicant_id", "case_materials"))
    before = snapshot(la.quanke, app.id)
    with pytest.raises(InvalidInput) as err:
        decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert err.value.code == "grant_reasons_required" and "第二十四条" in err.value.message
    assert snapshot(la.quanke, app.id) == before
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True, reasons="经核实，申请人在押，近亲属下落不明")
    assert la.app(app.id).state == "issued" and decision_path(la, app.id) == "art24_other"


@pytest.mark.parametrize("category", ["criminal_victim", "private_prosecutor", "civil_claimant"])
def test_the_victims_side_is_means_tested_under_art29(la, category):
    poor = la.accepted(category=category, opposing_party="李某（被告人）")
    rich = la.accepted(category=category, opposing_party="李某（被告人）", household="本人,测试citizen,8000")
    decisions.decide(la.quanke, la.w.approver, poor.id, grant=True)
    with pytest.raises(Forbidden):
        decisions.decide(la.quanke, la.w.approver, rich.id, grant=True)
    assert decision_path(la, poor.id) == "means_test"
    assert "第二十九条" in pdf_text(la.quanke, la.documents(poor.id, "certificate")[0].id)


def test_a_criminal_application_needs_its_reason(la):
    with pytest.raises(InvalidInput) as err:
        la.file(**{**DEFENCE, "criminal_reason": ""})
    assert "第二十四条" in err.value.details["fields"]["criminal_reason"][0]
    with pytest.raises(InvalidInput) as err:
        la.file(**{**DEFENCE, "criminal_reason": "other"})
    assert "具体原因" in err.value.details["fields"]["criminal_reason_note"][0]


# -- Art. 25, 28, 36: notifications -----------------------------------------------------------

def test_a_notification_skips_the_means_test_and_a_lawyer_is_due_three_days_after_receipt(la):
    app = la.file(paper=("applicant_id", "case_materials", "notification_letter"), data=la.notice())
    with la.quanke.db.session() as s:   # the notice reached the counter on Monday 2026-11-02
        s.get(Application, app.id).submitted_at = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.timezone.utc)
    acceptance.accept(la.quanke, la.w.counter, app.id, warn_reason="测试")
    assert "household" not in app.form_data or not app.form_data["household"]
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    assert la.app(app.id).state == "issued" and decision_path(la, app.id) == "notification"
    with la.quanke.db.session() as s:
        assignment = s.scalars(select(Assignment).where(Assignment.application_id == app.id)).one()
    # three days from the receipt of the notice (Art. 36), not from the confirmation
    assert assignment.due_on == dt.date(2026, 11, 5) and "第三十六条" in assignment.reason
    text = pdf_text(la.quanke, la.documents(app.id, "certificate")[0].id)
    assert "南京市栖霞区人民法院" in text and "（2026）苏0113刑初100号" in text
    assert "第二十五条第一款第（一）项" in text and "第三十六条" in text and "未成年人" in text


def test_a_notification_cannot_be_refused(la):
    app = la.notified()
    before = snapshot(la.quanke, app.id)
    with pytest.raises(Forbidden) as err:
        decisions.decide(la.quanke, la.w.approver, app.id, grant=False, reasons="不想指派")
    assert err.value.code == "notification_must_be_assigned" and "第三十六条" in err.value.message
    assert snapshot(la.quanke, app.id) == before


def test_a_notification_waits_for_the_organs_letter(la):
    app = la.file(paper=("applicant_id", "case_materials"), data=la.notice())
    assert app.state == "submitted"
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(la.quanke, la.w.counter, app.id, warn_reason="测试")
    assert err.value.code == "materials_missing" and "notification_letter" in err.value.details["missing"]
    assert "通知公函" in err.value.message


def test_a_citizen_cannot_file_a_notification_online(la):
    before = la.count(Application)
    with pytest.raises(InvalidInput) as err:
        acceptance.file_application(la.quanke, la.w.citizen, service_code=SERVICE,
                                    applicant_id=la.w.citizen.applicant_id, form_data=la.notice(), submit=False)
    assert err.value.code == "invalid_form" and "不能网上申请" in err.value.details["fields"]["category"][0]
    assert la.count(Application) == before


@pytest.mark.parametrize("overrides,field,words", [
    ({"notifying_organ_kind": ""}, "notifying_organ_kind", "第二十五条"),
    ({"criminal_case_no": ""}, "criminal_case_no", "案号"),
    ({"notification_ground": ""}, "notification_ground", "第二十五条"),
    ({"notifying_organ_kind": "police", "notification_ground": "compulsory_treatment"},
     "notification_ground", "第二十八条"),
    ({"notifying_organ_kind": "procuratorate", "notification_ground": "ordinary_procedure"},
     "notification_ground", "第二十五条第二款"),
    ({"notification_ground": "other_statutory"}, "other_basis", "第二十五条第一款第（七）项"),
    ({"urgent": "y"}, "urgent", "第三十六条"),
])
def test_bad_notifications_are_refused_on_the_right_field(la, overrides, field, words):
    before = la.count(Application)
    with pytest.raises(InvalidInput) as err:
        la.file(paper=("applicant_id", "case_materials", "notification_letter"), data=la.notice(**overrides))
    assert words in err.value.details["fields"][field][0]
    assert la.count(Application) == before


@pytest.mark.parametrize("ground", list(NOTIFICATION_GROUNDS))
def test_every_statutory_ground_is_aid_without_a_means_test(ground):
    organ = "court"
    facts = Facts(category="notification", has_agent=False, received_on=dt.date(2026, 11, 2),
                  notifying_organ_kind=organ, notifying_organ="某区人民法院", criminal_case_no="（2026）刑初1号",
                  notification_ground=ground, other_basis="《某法》第一条" if ground == "other_statutory" else "")
    result = assess(facts, None)   # no standard loaded, no household: still aid
    assert result.outcome == ELIGIBLE and result.path == "notification"
    assert NOTIFICATION_GROUNDS[ground].article in result.reasons[1] and "第三十六条" in result.reasons[-1]
    with_defender = assess(Facts(**{**facts.__dict__, "has_agent": True}), None)
    assert with_defender.outcome == INELIGIBLE and "没有委托辩护人" in with_defender.reasons[-1]
