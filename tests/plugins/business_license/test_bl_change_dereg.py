"""变更登记 and 注销登记: the register is updated and the licence in force is superseded."""
import pytest
from sqlalchemy import select

from core.papers import issuance
from core import acceptance
from core.platform.errors import InvalidInput
from core.platform.models import Application, Document
from plugins.business_license.documents.certdata import certificate_data
from plugins.business_license.domain.lookups import CHANGE, DEREGISTRATION, business_by_code
from plugins.business_license.models import BusinessChange, RegisteredBusiness


def _certificate(flow, app_id):
    with flow.quanke.db.session() as session:
        return session.scalars(select(Document).where(Document.application_id == app_id,
                                                      Document.kind == "certificate")
                               .order_by(Document.id)).all()[-1]


def _verify(flow, code):
    with flow.quanke.db.session() as session:
        return issuance.lookup(session, code)


def test_change_of_name_and_premises_updates_the_register_and_supersedes_the_licence(flow):
    registration = flow.register()
    code = flow.business(registration.id).credit_code
    old_licence = _certificate(flow, registration.id)
    form = {"credit_code": code, "change_name": True, "trade_name": "悦来", "industry": "餐饮",
            "name_form": "店", "change_premises": True, "street": "meiyuan", "address": "长江东街12号一层",
            "new_scopes": ["catering"], "reason": "搬迁并调整经营"}
    change = flow.decide(flow.file(CHANGE, form, paper=["change_application", "licence_original",
                                                        "premises_proof"]))
    assert change.state == "issued"
    with flow.quanke.db.session() as session:
        business = business_by_code(session, code)
        history = session.scalar(select(BusinessChange).where(BusinessChange.application_id == change.id))
        extra = certificate_data(session.get(Application, change.id), session)
    assert business.name == "南京市玄武区悦来餐饮店" and business.street == "meiyuan"
    assert business.scopes == ["catering"] and business.changed_on is not None
    assert history.before["name"] == "南京市玄武区悦来面食馆" and history.after["address"] == "长江东街12号一层"
    assert business.licence_application_id == change.id
    assert extra["credit_code"] == code and extra["business"]["name"] == "南京市玄武区悦来餐饮店"
    # The old licence now says it was replaced, naming the new one; the new one is valid.
    new_licence = _certificate(flow, change.id)
    old = _verify(flow, old_licence.verification_code)
    assert old.status == "superseded" and old.public()["replaced"]["by_number"] == new_licence.number
    assert _verify(flow, new_licence.verification_code).status == "valid"
    # The old name is free again, the new one is taken.
    from plugins.business_license.domain.lookups import name_clash
    with flow.quanke.db.session() as session:
        assert name_clash(session, "悦来", "面食", "馆") is None
        assert name_clash(session, "悦来", "餐饮", "店").credit_code == code


def test_change_needs_at_least_one_item_and_an_operator_who_owns_the_business(flow):
    registration = flow.register()
    code = flow.business(registration.id).credit_code
    with pytest.raises(InvalidInput) as err:
        flow.file(CHANGE, {"credit_code": code})
    assert "请至少填写一项变更内容" in err.value.details["fields"]["change_name"][0]
    with pytest.raises(InvalidInput) as err:
        flow.file(CHANGE, {"credit_code": code, "new_phone": "13900000009"},
                  applicant=flow.person("other_citizen"))
    assert "申请人不是“南京市玄武区悦来面食馆”的经营者" in err.value.details["fields"]["credit_code"][0]
    with pytest.raises(InvalidInput) as err:
        flow.file(CHANGE, {"credit_code": "92320102MA0000003X", "new_phone": "13900000009"})
    assert "credit_code" in err.value.details["fields"]


def test_renaming_to_a_taken_name_is_refused(flow, bl_world):
    mine = flow.business(flow.register().id).credit_code
    flow.register(flow.person("other_citizen"), trade_name="聚福", industry="百货", name_form="店",
                  scopes=["general_retail"], phone="13900000002")
    with pytest.raises(InvalidInput) as err:
        flow.file(CHANGE, {"credit_code": mine, "change_name": True, "trade_name": "聚福",
                           "industry": "百货", "name_form": "行"})
    assert "近似" in err.value.details["fields"]["trade_name"][0]


def test_deregistration_ends_the_business_and_supersedes_the_licence(flow, bl_world):
    registration = flow.register()
    code = flow.business(registration.id).credit_code
    licence = _certificate(flow, registration.id)
    dereg = flow.decide(flow.file(DEREGISTRATION, {"credit_code": code, "reason": "closing", "settled": True}))
    notice = _certificate(flow, dereg.id)
    assert notice.summary["kind_label"] == "准予注销登记通知书"
    with flow.quanke.db.session() as session:
        business = business_by_code(session, code)
    assert business.status == "deregistered" and business.deregistered_on is not None
    old = _verify(flow, licence.verification_code)
    assert old.status == "superseded" and old.public()["replaced"]["by_number"] == notice.number
    # A deregistered business cannot be changed or deregistered again.
    with pytest.raises(InvalidInput) as err:
        flow.file(CHANGE, {"credit_code": code, "new_phone": "13900000009"})
    assert "已注销登记" in err.value.details["fields"]["credit_code"][0]
    # Its name may be registered again by someone else.
    again = flow.register(flow.person("other_citizen"), phone="13900000002")
    assert flow.business(again.id).credit_code != code


def test_deregistration_requires_the_settlement_commitment(flow):
    code = flow.business(flow.register().id).credit_code
    with pytest.raises(InvalidInput) as err:
        flow.file(DEREGISTRATION, {"credit_code": code, "reason": "closing"})
    assert "债权债务已清理完结" in err.value.details["fields"]["settled"][0]


def test_change_filed_through_the_core_for_someone_elses_business_is_refused(flow, bl_world):
    """The core's own filing asks the plugin (validate_application): refused on the field."""
    code = flow.business(flow.register().id).credit_code
    other = flow.person("other_citizen")
    with pytest.raises(InvalidInput) as err:
        acceptance.file_application(flow.quanke, bl_world.counter, service_code=CHANGE,
                                  applicant_id=other.id,
                                  form_data={"credit_code": code, "new_phone": "13900000009"},
                                  paper=["change_application", "licence_original"], consent=True)
    assert "申请人不是" in err.value.details["fields"]["credit_code"][0]


def test_remote_change_with_identity_steps(flow, bl_world):
    from core.acceptance.uploads import Upload
    quanke, citizen = flow.quanke, bl_world.citizen
    code = flow.business(flow.register().id).credit_code
    app = acceptance.file_application(quanke, citizen, service_code=CHANGE, applicant_id=flow.person().id,
                                    form_data={"credit_code": code, "new_phone": "13900000008"})
    for step in ("face", "sms", "esign"):
        acceptance.record_identity_step(quanke, citizen, app.id, step)
    pdf = b"%PDF-1.4\n%\n"
    acceptance.attach_material(quanke, citizen, app.id, uploads=[
        Upload("change_application", "a.pdf", pdf), Upload("licence_original", "b.pdf", pdf + b"1")])
    app = acceptance.submit_application(quanke, citizen, app.id)
    flow.decide(app)
    with quanke.db.session() as session:
        assert business_by_code(session, code).phone == "13900000008"
        assert session.scalar(select(RegisteredBusiness.licence_application_id)
                              .where(RegisteredBusiness.credit_code == code)) == app.id


def test_remote_deregistration_with_identity_steps(flow, bl_world):
    from core.acceptance.uploads import Upload
    quanke, citizen = flow.quanke, bl_world.citizen
    code = flow.business(flow.register().id).credit_code
    app = acceptance.file_application(quanke, citizen, service_code=DEREGISTRATION, applicant_id=flow.person().id,
                                    form_data={"credit_code": code, "reason": "relocating", "settled": True})
    for step in ("face", "sms", "esign"):
        acceptance.record_identity_step(quanke, citizen, app.id, step)
    pdf = b"%PDF-1.4\n%\n"
    acceptance.attach_material(quanke, citizen, app.id, uploads=[
        Upload("deregistration_application", "a.pdf", pdf), Upload("licence_original", "b.pdf", pdf + b"2")])
    app = flow.decide(acceptance.submit_application(quanke, citizen, app.id))
    with quanke.db.session() as session:
        assert business_by_code(session, code).status == "deregistered"
    assert app.state == "issued"
