"""Credit review: dishonest operators and family members, the commitment path, pending names."""
import datetime as dt

import pytest
from sqlalchemy import select

from core import acceptance, approval
from core.platform.clock import now
from core.credit import Commitment
from core.ops.demo import valid_resident_id
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import CheckEvidence
from plugins.business_license.domain.lookups import REGISTRATION


def _evidence(flow, app_id, code):
    with flow.quanke.db.session() as session:
        return session.scalars(select(CheckEvidence).where(
            CheckEvidence.application_id == app_id, CheckEvidence.check_code == code)
            .order_by(CheckEvidence.id)).all()


def test_a_seriously_dishonest_operator_is_blocked_at_acceptance(flow, bl_world):
    flow.dishonest(flow.person().id_number, "serious")
    app = flow.file(REGISTRATION, flow.registration_form())
    with pytest.raises(Forbidden) as err:
        acceptance.accept(flow.quanke, bl_world.counter, app.id)
    assert err.value.code == "checks_blocked" and "严重失信" in err.value.message
    assert "拒不履行生效判决" in err.value.message
    with flow.quanke.db.session() as session:
        assert session.get(type(app), app.id).state == "submitted"


def test_a_generally_dishonest_operator_warns_and_the_reason_is_recorded(flow, bl_world):
    flow.dishonest(flow.person().id_number, "general")
    app = flow.file(REGISTRATION, flow.registration_form())
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(flow.quanke, bl_world.counter, app.id)
    assert err.value.code == "warn_reason_required"
    accepted = acceptance.accept(flow.quanke, bl_world.counter, app.id,
                               warn_reason="失信已于2025年履行完毕，出具了法院结案证明")
    assert accepted.state == "accepted" and accepted.warn_reason.startswith("失信已于2025年")
    [evidence] = _evidence(flow, app.id, "core.dishonest_applicant")
    assert evidence.outcome == "warn" and evidence.hit and evidence.matched["level"] == "general"
    assert evidence.list_version.startswith("import-")


def test_a_dishonest_family_member_blocks_a_family_business(flow, bl_world):
    member = valid_resident_id("32010219920303002")
    flow.dishonest(member, "serious", ref="family")
    form = flow.registration_form(organisation_form="family", family_members=[f"李梅 {member} 配偶"])
    app = flow.file(REGISTRATION, form, paper=["operator_id", "premises_proof",
                                                "family_proof"])
    with pytest.raises(Forbidden) as err:
        acceptance.accept(flow.quanke, bl_world.counter, app.id)
    assert "参加经营的家庭成员李梅（配偶）严重失信" in err.value.message


def test_a_family_business_without_proof_of_relationship_cannot_be_accepted(flow, bl_world):
    form = flow.registration_form(organisation_form="family",
                                  family_members=[f"李梅 {valid_resident_id('32010219920303002')} 配偶"])
    app = flow.file(REGISTRATION, form)
    with pytest.raises(Forbidden) as err:
        acceptance.accept(flow.quanke, bl_world.counter, app.id)
    assert "家庭成员关系证明" in err.value.message


def test_premises_commitment_replaces_the_proof_and_is_signed_on_approval(flow):
    app = flow.file(REGISTRATION, flow.registration_form(),
                    paper=["operator_id", "premises_commitment"])
    app = flow.decide(app)
    [evidence] = _evidence(flow, app.id, "business_license.premises")[:1]
    assert evidence.outcome == "pass" and "承诺书" in evidence.reasons[0]
    with flow.quanke.db.session() as session:
        commitment = session.scalar(select(Commitment).where(Commitment.application_id == app.id))
    assert commitment is not None and commitment.status == "pending"
    assert "经营场所真实存在" in commitment.text


def _broken_commitment(flow, applicant):
    with flow.quanke.db.session() as session:
        session.add(Commitment(applicant_id=applicant.id, service_code="business_license.food_permit",
                               text="承诺", text_sha256="0" * 64, status="broken",
                               verified_at=now() - dt.timedelta(days=400), verified_by="user:1",
                               note="后厨无冷藏设施"))


def test_a_broken_commitment_in_three_years_closes_the_commitment_path(flow, bl_world):
    applicant = flow.person()
    filed_before = acceptance.file_application(flow.quanke, bl_world.counter, service_code=REGISTRATION,
                                             applicant_id=applicant.id,
                                             form_data=flow.registration_form(trade_name="旺来"),
                                             paper=["operator_id", "premises_commitment"], consent=True)
    _broken_commitment(flow, applicant)
    # Filed now, through the plugin and the core alike, the commitment no longer stands in for
    # the premises proof: acceptance is refused naming the proof, and the one-time notice lists it.
    for filed in (flow.file(REGISTRATION, flow.registration_form(trade_name="兴来"),
                            paper=["operator_id", "premises_commitment"]),
                  acceptance.file_application(flow.quanke, bl_world.counter, service_code=REGISTRATION,
                                              applicant_id=applicant.id,
                                              form_data=flow.registration_form(trade_name="福来"),
                                              paper=["operator_id", "premises_commitment"], consent=True)):
        with pytest.raises(InvalidInput) as err:
            acceptance.accept(flow.quanke, bl_world.counter, filed.id)
        assert err.value.code == "materials_missing"
        assert "经营场所使用证明（" in err.value.message and "三年内不得适用告知承诺制" in err.value.message
        returned = acceptance.return_for_correction(flow.quanke, bl_world.counter, filed.id)
        assert returned.state == "correction_requested"
    # ... and an application filed before the commitment was found broken is blocked at
    # acceptance the same way: the proof is missing, and why.
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(flow.quanke, bl_world.counter, filed_before.id)
    assert err.value.code == "materials_missing" and "三年内不得适用告知承诺制" in err.value.message
    # With the proof instead of the commitment it is accepted:
    proof = flow.file(REGISTRATION, flow.registration_form(trade_name="聚福"),
                      paper=["operator_id", "premises_proof"])
    assert acceptance.accept(flow.quanke, bl_world.counter, proof.id).state == "accepted"


def test_an_older_broken_commitment_no_longer_counts(flow):
    applicant = flow.person()
    with flow.quanke.db.session() as session:
        session.add(Commitment(applicant_id=applicant.id, service_code="x.y", text="承诺", text_sha256="0" * 64,
                               status="broken", verified_at=now() - dt.timedelta(days=4 * 365)))
    app = flow.file(REGISTRATION, flow.registration_form(),
                    paper=["operator_id", "premises_commitment"])
    assert flow.decide(app).state == "issued"


def test_a_name_applied_for_by_someone_else_warns_and_the_first_approval_wins(flow, bl_world):
    quanke = flow.quanke
    other = flow.person("other_citizen")
    first = flow.file(REGISTRATION, flow.registration_form())
    first = acceptance.accept(quanke, bl_world.counter, first.id)
    second = acceptance.file_application(quanke, bl_world.counter, service_code=REGISTRATION,
                                       applicant_id=other.id,
                                       form_data=flow.registration_form(other, phone="13900000002"),
                                       paper=["operator_id", "premises_proof"], consent=True)
    with pytest.raises(InvalidInput):
        acceptance.accept(quanke, bl_world.counter, second.id)
    second = acceptance.accept(quanke, bl_world.counter, second.id, warn_reason="申请人知悉名称在先申请情况")
    [warn] = _evidence(flow, second.id, "business_license.name_conflict")
    assert warn.outcome == "warn" and warn.matched["application_number"] == first.number
    flow.decide(first, issue=False)
    approval.claim(quanke, bl_world.approver2, second.id)
    with pytest.raises(Forbidden) as err:
        approval.approve(quanke, bl_world.approver2, second.id)
    assert "南京市玄武区悦来面食馆" in err.value.message and "相同" in err.value.message


def test_plausibility_warns_on_many_employees_and_little_capital(flow, bl_world):
    app = flow.file(REGISTRATION, flow.registration_form(capital=5000, employees=30))
    with pytest.raises(InvalidInput):
        acceptance.accept(flow.quanke, bl_world.counter, app.id)
    app = acceptance.accept(flow.quanke, bl_world.counter, app.id, warn_reason="季节性用工，资金另有来源")
    [evidence] = _evidence(flow, app.id, "business_license.plausibility")
    assert evidence.outcome == "warn" and "人均不足2000元" in evidence.reasons[0]
