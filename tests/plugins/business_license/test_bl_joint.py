"""证照联办: one form, one acceptance, two results decided in their own departments' queues."""
import pytest
from sqlalchemy import select
from stdnum.iso7064 import mod_11_10

from core.papers import issuance
from core.approval import queues
from core import acceptance, approval
from core.platform.errors import Forbidden, InvalidState
from core.platform.models import Application, Document
from plugins.business_license.domain import filing
from plugins.business_license.documents.certdata import certificate_data
from plugins.business_license.domain.lookups import FOOD_PERMIT, REGISTRATION
from plugins.business_license.models import Bundle, FoodPermit

PAPER = ["operator_id", "premises_proof", "food_commitment", "layout_plan"]


def _joint(flow, bl_world, applicant=None, **overrides):
    applicant = applicant or flow.person()
    form = {**flow.registration_form(applicant), **flow.food_form(), **overrides}
    form.pop("premises")
    return filing.file_joint(flow.quanke, bl_world.counter, applicant_id=applicant.id, form_data=form,
                             paper=PAPER, consent=True, consent_text="申请人当面同意")


def test_joint_application_from_one_form_to_two_results(flow, bl_world):
    quanke = flow.quanke
    joint = _joint(flow, bl_world)
    reg, permit = joint.registration, joint.permit
    assert reg.service_code == REGISTRATION and permit.service_code == FOOD_PERMIT
    assert permit.form_data["bundle_ref"] == joint.bundle.reference
    assert permit.form_data["premises"] == "中山路88号一层102室"
    # One acceptance for both.
    joint = filing.accept_bundle(quanke, bl_world.counter, joint.bundle.reference)
    assert joint.registration.state == joint.permit.state == "accepted"
    assert joint.bundle.accepted_at is not None and joint.bundle.accepted_by_id == bl_world.counter.id
    # Each in its own department's queue.
    assert joint.registration.department_code == "market_regulation"
    assert joint.permit.department_code == "food_safety"
    # The permit cannot be decided before the licence has its credit code.
    approval.claim(quanke, bl_world.food_approver, permit.id)
    with pytest.raises(Forbidden) as err:
        approval.approve(quanke, bl_world.food_approver, permit.id)
    assert "联办的营业执照" in err.value.message and "尚未核准" in err.value.message
    # A market-regulation approver cannot decide the permit, nor the food approver the licence.
    with pytest.raises(Forbidden):
        approval.claim(quanke, bl_world.food_approver, reg.id)
    flow.decide(joint.registration)
    business = flow.business(reg.id)
    permit = approval.approve(quanke, bl_world.food_approver, permit.id)
    permit = approval.issue(quanke, bl_world.food_approver, permit.id)
    with quanke.db.session() as session:
        row = session.scalar(select(FoodPermit).where(FoodPermit.application_id == permit.id))
        extra = certificate_data(session.get(Application, permit.id), session)
        certificate = session.scalar(select(Document).where(Document.application_id == permit.id,
                                                            Document.kind == "certificate"))
    assert row.business_id == business.id and row.status == "valid"
    number = row.permit_no
    assert number.startswith("JY2320102") and len(number) == 16 and mod_11_10.is_valid(number[2:])
    assert extra["permit_no"] == number and extra["credit_code"] == business.credit_code
    assert (row.valid_until - row.valid_from).days in (1825, 1826)
    assert certificate.summary["kind_label"] == "食品经营许可证"
    assert issuance.pdf_bytes(quanke, certificate.id).startswith(b"%PDF")


def test_bundle_acceptance_is_all_or_nothing(flow, bl_world):
    flow.dishonest(flow.person().id_number, "serious")
    joint = _joint(flow, bl_world)
    with pytest.raises(Forbidden) as err:
        filing.accept_bundle(flow.quanke, bl_world.counter, joint.bundle.reference)
    assert err.value.code == "bundle_not_acceptable"
    assert "个体工商户设立登记" in err.value.message and "食品经营许可（告知承诺）" in err.value.message
    with flow.quanke.db.session() as session:
        states = {a.state for a in session.scalars(select(Application))}
    assert states == {"submitted"}


def test_bundle_acceptance_needs_a_reason_for_warnings(flow, bl_world):
    flow.dishonest(flow.person().id_number, "general")
    joint = _joint(flow, bl_world)
    with pytest.raises(Exception) as err:
        filing.accept_bundle(flow.quanke, bl_world.counter, joint.bundle.reference)
    assert getattr(err.value, "code", "") == "warn_reason_required"
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, joint.bundle.reference,
                                 warn_reason="已履行完毕")
    assert joint.registration.warn_reason == joint.permit.warn_reason == "已履行完毕"


def test_a_rejected_licence_stops_the_bundled_permit(flow, bl_world):
    quanke = flow.quanke
    joint = filing.accept_bundle(quanke, bl_world.counter, _joint(flow, bl_world).bundle.reference)
    approval.claim(quanke, bl_world.approver, joint.registration.id)
    approval.reject(quanke, bl_world.approver, joint.registration.id, reasons="经营场所位于居民楼，不得从事餐饮")
    approval.claim(quanke, bl_world.food_approver, joint.permit.id)
    with pytest.raises(Forbidden) as err:
        approval.approve(quanke, bl_world.food_approver, joint.permit.id)
    assert "已不予批准" in err.value.message and "许可不能单独办理" in err.value.message


def test_resubmitting_the_same_joint_form_returns_the_first_bundle(flow, bl_world):
    applicant = flow.person()
    form = {**flow.registration_form(applicant), **flow.food_form()}
    kwargs = dict(applicant_id=applicant.id, form_data=form, paper=PAPER, consent=True,
                  idempotency_key="joint-key-1")
    first = filing.file_joint(flow.quanke, bl_world.counter, **kwargs)
    second = filing.file_joint(flow.quanke, bl_world.counter, **kwargs)
    assert first.bundle.reference == second.bundle.reference
    assert flow.count(Bundle) == 1 and flow.count(Application) == 2


def test_remote_joint_application_identity_once_for_both(flow, bl_world):
    from core.acceptance.uploads import Upload
    quanke, citizen = flow.quanke, bl_world.citizen
    applicant = flow.person()
    form = {**flow.registration_form(applicant), **flow.food_form()}
    from core.testing import TINY_PNG
    pdf, png = b"%PDF-1.4\n%\n", TINY_PNG      # a real image: uploads are re-encoded
    uploads = [Upload(code, f"{code}.pdf", pdf + code.encode()) for code in
               ("operator_id", "premises_proof", "food_commitment", "layout_plan")]
    uploads.append(Upload("premises_photos", "photo.png", png))
    joint = filing.file_joint(quanke, citizen, applicant_id=applicant.id, form_data=form, uploads=uploads)
    assert joint.registration.state == joint.permit.state == "draft"
    with pytest.raises(InvalidState):
        filing.submit_bundle(quanke, citizen, joint.bundle.reference)
    for step in ("face", "sms", "esign"):
        filing.record_identity_step(quanke, citizen, joint.bundle.reference, step)
    joint = filing.submit_bundle(quanke, citizen, joint.bundle.reference)
    assert joint.registration.state == joint.permit.state == "submitted"
    joint = filing.accept_bundle(quanke, bl_world.counter, joint.bundle.reference)
    flow.decide(joint.registration)
    permit = flow.decide(joint.permit, approver="food_approver")
    assert permit.state == "issued"


def test_queues_show_each_application_in_its_own_department(flow, bl_world):
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, _joint(flow, bl_world).bundle.reference)
    with flow.quanke.db.session() as session:
        numbers = queues.counts(session, ["market_regulation", "food_safety"], bl_world.approver.id)
    assert numbers["market_regulation"]["waiting"] == 1 and numbers["food_safety"]["waiting"] == 1
    assert joint.permit.receipt_no != joint.registration.receipt_no


def test_food_permit_on_its_own_for_a_registered_business(flow, bl_world):
    code = flow.business(flow.register().id).credit_code  # scopes include 餐饮服务
    permit = flow.decide(flow.file(FOOD_PERMIT, flow.food_form(credit_code=code)), approver="food_approver")
    assert permit.state == "issued" and permit.department_code == "food_safety"
    with flow.quanke.db.session() as session:
        row = session.scalar(select(FoodPermit).where(FoodPermit.application_id == permit.id))
        assert row.permit_no.startswith("JY2320102") and row.status == "valid"
    # A second permit of the same type for the same business is refused at acceptance.
    again = acceptance.file_application(flow.quanke, bl_world.counter, service_code=FOOD_PERMIT,
                                      applicant_id=flow.person().id, form_data=flow.food_form(credit_code=code),
                                      paper=["operator_id", "food_commitment", "layout_plan"], consent=True)
    with pytest.raises(Forbidden) as err:
        acceptance.accept(flow.quanke, bl_world.counter, again.id)
    assert row.permit_no in err.value.message


def test_a_business_without_a_food_scope_needs_a_change_first(flow):
    other = flow.person("other_citizen")
    code = flow.business(flow.register(other, trade_name="聚福", industry="百货", name_form="店",
                                       scopes=["general_retail"], phone="13900000002").id).credit_code
    with pytest.raises(Exception) as err:
        flow.file(FOOD_PERMIT, flow.food_form(credit_code=code), applicant=other)
    assert "请先办理变更登记" in err.value.details["fields"]["food_category"][0]
