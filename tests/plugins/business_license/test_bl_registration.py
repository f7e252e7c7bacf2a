"""个体工商户设立登记 end to end through core.workflow: counter and remote, credit code, licence."""
import io

from pypdf import PdfReader
from sqlalchemy import select
from stdnum.cn import uscc

from core.papers import issuance
from core import acceptance
from core.platform.models import Application, CheckEvidence, Document
from core.contract.services import CertificateContext
from plugins.business_license.documents.certdata import certificate_data
from plugins.business_license.documents import LICENCE
from plugins.business_license.domain.lookups import REGISTRATION


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_counter_registration_assigns_a_valid_credit_code_and_records_the_business(flow):
    app = flow.register()
    assert app.state == "issued" and app.department_code == "market_regulation"
    business = flow.business(app.id)
    assert business is not None and business.status == "active"
    code = business.credit_code
    assert uscc.is_valid(code) and code.startswith("92320102")  # 个体工商户, this district
    assert business.name == "南京市玄武区悦来面食馆"
    assert business.operator_id_number == flow.person().id_number
    assert business.scopes == ["catering", "general_retail"] and business.licence_application_id == app.id


def test_two_approvals_get_two_different_codes_in_sequence(flow, bl_world):
    first = flow.register()
    other = flow.person("other_citizen")
    second = flow.register(other, trade_name="聚福", industry="百货", name_form="店",
                           scopes=["general_retail"], phone="13900000002")
    a, b = flow.business(first.id).credit_code, flow.business(second.id).credit_code
    assert a != b and uscc.is_valid(a) and uscc.is_valid(b)


def test_the_licence_carries_the_code_through_certificate_data(flow, bl_world):
    app = flow.register()
    quanke = flow.quanke
    with quanke.db.session() as session:
        row = session.get(Application, app.id)
        extra = certificate_data(row, session)
        doc = session.scalars(select(Document).where(Document.application_id == app.id,
                                                      Document.kind == "certificate")).one()
    business = flow.business(app.id)
    assert extra["credit_code"] == business.credit_code
    assert extra["business"]["name"] == "南京市玄武区悦来面食馆"
    # The core will merge this into ctx.extra itself; until then render as it will.
    ctx = CertificateContext(
        application_no=app.number, service_code=REGISTRATION, service_name="个体工商户设立登记",
        applicant_name=business.operator_name, applicant_id_masked="3201**********0011",
        form_data=app.form_data, department_code="market_regulation", department_name="区市场监督管理局",
        centre_name="测试街道便民服务中心", decided_at=app.decided_at, verification_code=doc.verification_code,
        verification_url=f"http://127.0.0.1/verify/{doc.verification_code}", extra=extra)
    text = _pdf_text(LICENCE(ctx))
    for expected in ("营业执照", business.credit_code, "南京市玄武区悦来面食馆", "个体工商户",
                     business.operator_name, "个人经营", "餐饮服务", "中山路88号", "国家企业信用信息公示系统"):
        assert expected in text.replace("\n", ""), expected


def test_the_issued_licence_is_sealed_and_verifiable(flow, bl_world):
    app = flow.register()
    quanke = flow.quanke
    with quanke.db.session() as session:
        doc = session.scalars(select(Document).where(Document.application_id == app.id,
                                                      Document.kind == "certificate")).one()
    data = issuance.pdf_bytes(quanke, doc.id)
    assert data.startswith(b"%PDF") and b"/Sig" in data  # the department's electronic seal
    # The core merges certificate_data into the licence: the code assigned on approval is on it.
    text = _pdf_text(data).replace("\n", "")
    business = flow.business(app.id)
    assert business.credit_code in text and "南京市玄武区悦来面食馆" in text and "（核准后赋码）" not in text
    with quanke.db.session() as session:
        found = issuance.lookup(session, doc.verification_code)
    assert found.status == "valid" and found.summary["kind_label"] == "营业执照"


def test_remote_registration_needs_the_identity_steps_before_submission(flow, bl_world):
    quanke, citizen = flow.quanke, bl_world.citizen
    applicant = flow.person()
    app = acceptance.file_application(quanke, citizen, service_code=REGISTRATION,
                                    applicant_id=applicant.id, form_data=flow.registration_form(applicant),
                                    uploads=[], submit=True)
    assert app.state == "draft" and app.channel == "remote"
    import pytest
    from core.platform.errors import InvalidState
    with pytest.raises(InvalidState) as err:
        acceptance.submit_application(quanke, citizen, app.id)
    assert err.value.code == "identity_required"
    for step in ("face", "sms", "esign"):  # the real face check comes with another issue
        acceptance.record_identity_step(quanke, citizen, app.id, step, evidence={"test": True})
    acceptance.attach_material(quanke, citizen, app.id, uploads=[
        _upload("operator_id"), _upload("premises_photos", png=True), _upload("premises_proof")])
    app = acceptance.submit_application(quanke, citizen, app.id)
    assert app.state == "submitted"
    app = flow.decide(app)
    assert app.state == "issued" and uscc.is_valid(flow.business(app.id).credit_code)


def _upload(code, png=False):
    from core.acceptance.uploads import Upload
    from core.testing import TINY_PNG
    data = TINY_PNG if png else b"%PDF-1.4\n% scan\n"
    return Upload(code, f"{code}.{'png' if png else 'pdf'}", data)


def test_checks_are_kept_as_evidence_at_acceptance_and_decision(flow):
    app = flow.register()
    with flow.quanke.db.session() as session:
        rows = session.scalars(select(CheckEvidence).where(CheckEvidence.application_id == app.id)).all()
    phases = {(r.phase, r.check_code) for r in rows}
    for code in ("core.dishonest_applicant", "business_license.name_conflict",
                 "business_license.premises", "business_license.plausibility"):
        assert ("acceptance", code) in phases and ("decision", code) in phases
    scopes = next(r for r in rows if r.check_code == "business_license.permit_scopes")
    assert scopes.hit and "食品经营许可证" in scopes.reasons[0]


def _context(**form):
    import datetime as dt
    return CertificateContext(
        application_no="QK1", service_code=REGISTRATION, service_name="个体工商户设立登记",
        applicant_name="张三", applicant_id_masked="3201**********0011",
        form_data={"business_name": "悦来面食馆", "operator_name": "张三", "organisation_form": "individual",
                   "address": "中山路88号一层102室", "scopes": ["catering"], **form},
        department_code="market_regulation", department_name="区市场监督管理局", centre_name="中心",
        decided_at=dt.datetime(2026, 11, 23, 2, tzinfo=dt.timezone.utc), verification_code="ABCDEFGHIJKLMNOP",
        verification_url="http://127.0.0.1/verify/ABCDEFGHIJKLMNOP", extra={"credit_code": "92320102MA00001A2X"})


def test_the_licence_is_one_landscape_page_even_with_every_scope():
    from plugins.business_license.domain.catalog import SCOPES
    pdf = LICENCE(_context(scopes=list(SCOPES)))
    reader = PdfReader(io.BytesIO(bytes(pdf)))
    box = reader.pages[0].mediabox
    assert len(reader.pages) == 1 and float(box.width) > float(box.height)
    text = _pdf_text(bytes(pdf)).replace("\n", "")
    assert "住宿服务" in text and "国家市场监督管理总局监制" in text


def test_a_character_the_font_cannot_draw_is_refused_not_dropped():
    import pytest
    from core.platform.errors import InvalidInput
    with pytest.raises(InvalidInput) as err:
        LICENCE(_context(address="中山路88号\U0001F600"))
    assert err.value.code == "glyph_missing"
