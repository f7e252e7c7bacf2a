"""A broken commitment (告知承诺): finding → 限期整改 order with a deadline → re-inspection →
only then revocation (or abnormal listing) and a credit record; every step a letter citing
its article (LAW.md § 告知承诺制)."""
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from core.credit import Commitment, CreditRecord
from core.papers import issuance
from core.platform.clock import today
from core.platform.errors import InvalidInput, InvalidState
from core.platform.models import Document
from plugins.business_license.documents.letters import letter_pdf
from plugins.business_license.domain import filing, inspections, supervision
from plugins.business_license.domain.lookups import REGISTRATION
from plugins.business_license.models import CommitmentCase, FoodPermit, InspectionTask

PAPER = ["operator_id", "premises_proof", "food_commitment", "layout_plan"]
FOUND = "后厨未设冷藏设施，与承诺的设施设备条件不符"


def _permit_task(flow, bl_world) -> InspectionTask:
    applicant = flow.person()
    joint = filing.file_joint(flow.quanke, bl_world.counter, applicant_id=applicant.id,
                              form_data={**flow.registration_form(applicant), **flow.food_form()},
                              paper=PAPER, consent=True)
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, joint.bundle.reference)
    flow.decide(joint.registration)
    flow.decide(joint.permit, approver="food_approver")
    supervision.daily_push(flow.quanke)
    return _task(flow, "permit_commitment")


def _task(flow, kind) -> InspectionTask:
    with flow.quanke.db.session() as session:
        return session.scalars(select(InspectionTask).where(InspectionTask.kind == kind)).one()


def _case(flow) -> CommitmentCase:
    with flow.quanke.db.session() as session:
        return session.scalars(select(CommitmentCase)).one()


def _text(flow, doc_id) -> tuple[str, int]:
    pages = PdfReader(io.BytesIO(letter_pdf(flow.quanke, doc_id))).pages
    return "".join(p.extract_text() or "" for p in pages).replace("\n", ""), len(pages)


def _period_ends(flow) -> None:
    """As if the deadline had passed: move it to yesterday."""
    with flow.quanke.db.session() as session:
        session.execute(update(CommitmentCase).values(deadline=today() - dt.timedelta(days=1)))


def _order(flow, bl_world, task, days=15):
    deadline = today() + dt.timedelta(days=days)
    return inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="broken",
                                     note=FOUND, deadline=deadline.isoformat()), deadline


def _permit_state(flow):
    with flow.quanke.db.session() as session:
        permit = session.scalar(select(FoodPermit))
        certificate = session.scalar(select(Document).where(Document.application_id == permit.application_id,
                                                            Document.kind == "certificate"))
        return permit.status, certificate.status, session.scalar(select(Commitment.status))


@pytest.mark.parametrize("deadline, code", [(None, "deadline_required"), ("2020-01-01", "invalid_deadline"),
                                            ("下周五", "invalid_deadline"), ("2099-01-01", "invalid_deadline")])
def test_an_order_needs_a_plausible_deadline(flow, bl_world, deadline, code):
    task = _permit_task(flow, bl_world)
    with pytest.raises(InvalidInput) as err:
        inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="broken",
                                  note=FOUND, deadline=deadline)
    assert err.value.code == code and err.value.field == "deadline"
    assert _task(flow, "permit_commitment").status == "open" and flow.count(CommitmentCase) == 0


def test_conditions_not_met_order_correction_and_revoke_nothing(flow, bl_world):
    task = _permit_task(flow, bl_world)
    done, deadline = _order(flow, bl_world, task)
    assert done.status == "rectifying" and done.due_date == deadline and done.closed_at is None
    assert _permit_state(flow) == ("valid", "valid", "pending")      # nothing revoked, no credit record
    assert flow.count(CreditRecord) == 0
    case = _case(flow)
    text, pages = _text(flow, case.order_document_id)
    assert pages == 1
    for expected in ("责令限期整改通知书", FOUND, f"{deadline:%Y年%m月%d日}前整改完毕",
                     "国办发〔2020〕42号", "指导意见未规定整改期限的长短", "依法撤销食品经营许可"):
        assert expected in text, expected
    with flow.quanke.db.session() as session:
        doc = session.get(Document, case.order_document_id)
        found = issuance.lookup(session, doc.verification_code)
    assert found.status == "valid" and found.summary["kind_label"] == "责令限期整改通知书"
    assert doc.signed  # sealed by the food-business section


def test_no_revocation_while_the_period_runs(flow, bl_world):
    task = _permit_task(flow, bl_world)
    _order(flow, bl_world, task)
    with pytest.raises(InvalidState) as err:
        inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="not_corrected",
                                  note="复查时仍未配备冷藏设施")
    assert err.value.code == "rectification_period_running" and "期限届满前" in err.value.message
    assert _permit_state(flow) == ("valid", "valid", "pending")
    with pytest.raises(InvalidInput):  # a task being corrected takes re-inspection results only
        inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="kept")


def test_corrected_on_re_inspection_keeps_the_permit(flow, bl_world):
    task = _permit_task(flow, bl_world)
    _order(flow, bl_world, task)
    done = inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="corrected",
                                     note="已购置冷藏柜并投入使用")
    assert done.status == "corrected" and done.closed_at is not None
    assert _permit_state(flow) == ("valid", "valid", "kept") and flow.count(CreditRecord) == 0
    case = _case(flow)
    assert case.status == "corrected" and case.decision_document_id is None
    text, _ = _text(flow, case.reinspection_document_id)
    assert "整改复查意见书" in text and "已按期整改" in text and "已购置冷藏柜" in text


def test_not_corrected_after_the_period_revokes_and_records_credit(flow, bl_world):
    task = _permit_task(flow, bl_world)
    _order(flow, bl_world, task)
    _period_ends(flow)
    done = inspections.record_result(flow.quanke, bl_world.food_inspector, task.id, outcome="not_corrected",
                                     note="复查时仍未配备冷藏设施")
    assert done.status == "broken"
    permit, certificate, commitment = _permit_state(flow)
    assert (permit, certificate, commitment) == ("revoked", "revoked", "broken")
    case = _case(flow)
    with flow.quanke.db.session() as session:
        record = session.get(CreditRecord, case.credit_record_id)
    assert record is not None and "逾期未整改" in record.reason
    review, _ = _text(flow, case.reinspection_document_id)
    assert "整改复查意见书" in review and "复查时仍未配备冷藏设施" in review and "逾期未整改" in review
    decision, pages = _text(flow, case.decision_document_id)
    assert pages == 1
    for expected in ("撤销食品经营许可决定书", "复查时仍未配备冷藏设施", "撤销食品经营许可证 JY",
                     "国办发〔2020〕42号", "六十日内", "行政复议"):
        assert expected in decision, expected


def test_a_premises_commitment_not_corrected_lists_the_business_abnormal(flow, bl_world):
    app = flow.file(REGISTRATION, flow.registration_form(), paper=["operator_id", "premises_commitment"])
    flow.decide(app)
    supervision.daily_push(flow.quanke)
    task = _task(flow, "premises_commitment")
    inspections.record_result(flow.quanke, bl_world.inspector, task.id, outcome="broken",
                              note="经营场所为住宅，须取得利害关系业主同意", deadline=today() + dt.timedelta(days=30))
    assert not flow.business(app.id).abnormal
    _period_ends(flow)
    inspections.record_result(flow.quanke, bl_world.inspector, task.id, outcome="not_corrected",
                              note="未能提交业主同意证明")
    business = flow.business(app.id)
    assert business.abnormal and "逾期未整改" in business.abnormal_reason
    text, _ = _text(flow, _case(flow).decision_document_id)
    assert "列入经营异常名录通知书" in text and "不在本系统收录的法规之内" in text


def test_the_inspection_page_orders_correction_and_links_the_letter(flow, bl_world):
    from web import create_app
    task = _permit_task(flow, bl_world)
    web = create_app(quanke=flow.quanke)
    web.config.update(TESTING=True)
    client = web.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"u:{bl_world.food_inspector.id}"
        session["_fresh"] = True
    page = client.get("/business_license/inspections").get_data(as_text=True)
    assert 'name="deadline"' in page and "不符合承诺条件（责令限期整改）" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = client.post("/business_license/inspections", follow_redirects=True,
                      data={"csrf_token": token, "task_id": task.id, "outcome": "broken", "note": FOUND})
    assert "责令限期整改须确定整改期限" in bad.get_data(as_text=True)
    deadline = (today() + dt.timedelta(days=10)).isoformat()
    client.post("/business_license/inspections", data={"csrf_token": token, "task_id": task.id,
                                                        "outcome": "broken", "note": FOUND, "deadline": deadline})
    listed = client.get("/business_license/inspections", query_string={"status": "rectifying"}).get_data(as_text=True)
    assert "限期整改中" in listed and "责令限期整改通知书" in listed and "逾期未整改" in listed
    link = re.search(r'href="(/[^"]+)"[^>]*>责令限期整改通知书', listed).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    code = flow.business(1).credit_code
    business = client.get(f"/business_license/registry/{code}").get_data(as_text=True)
    assert "限期整改中" in business and "责令限期整改通知书" in business


def test_the_api_takes_the_deadline(flow, bl_world):
    from core.people import tokens
    from web import create_app
    task = _permit_task(flow, bl_world)
    web = create_app(quanke=flow.quanke)
    web.config.update(TESTING=True)
    with flow.quanke.db.session() as session:
        token = tokens.create_token(session, session.merge(bl_world.food_inspector), name="t", actor="test")
    headers = {"Authorization": f"Bearer {token}"}
    client = web.test_client()
    bad = client.post(f"/api/v1/business_license/inspections/{task.id}/result", headers=headers,
                      json={"outcome": "broken", "note": FOUND, "deadline": 20270101})
    assert bad.status_code == 400 and bad.json["field"] == "deadline"
    ok = client.post(f"/api/v1/business_license/inspections/{task.id}/result", headers=headers,
                     json={"outcome": "broken", "note": FOUND,
                           "deadline": (today() + dt.timedelta(days=10)).isoformat()})
    assert ok.status_code == 200 and ok.json["status"] == "rectifying"
    assert ok.json["case"]["letters"][0]["label"] == "责令限期整改通知书"
    assert set(ok.json["outcomes"]) == {"corrected", "not_corrected"}
