"""The public verification page of a business licence shows what a checker needs — the
business's name, credit code and validity — and still no personal data (issue 21)."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from core.papers import issuance
from core.platform.models import Document
from web.verify import bp


def _page(flow, code: str) -> tuple[str, dict]:
    app = Flask("web")
    app.extensions["quanke"] = flow.quanke
    app.register_blueprint(bp)
    client = app.test_client()
    return client.get(f"/verify/{code}").get_data(as_text=True), client.get(f"/verify/{code}.json").get_json()


def test_licence_verification_names_the_business_and_its_credit_code(flow):
    person = flow.person()
    registration = flow.register()
    business = flow.business(registration.id)
    with flow.quanke.db.session() as session:
        licence = session.scalars(select(Document).where(Document.application_id == registration.id,
                                                         Document.kind == "certificate")).one()
    issuance.pdf_bytes(flow.quanke, licence.id)  # the render job, as after the commit
    html, data = _page(flow, licence.verification_code)
    fields = {f["label"]: f["value"] for f in data["fields"]}
    assert fields["名称"] == business.name == "南京市玄武区悦来面食馆"
    assert fields["统一社会信用代码"] == business.credit_code
    assert fields["注册日期"].endswith("日") and fields["有效期"].startswith("长期")
    for value in (business.name, business.credit_code, "注册日期", "有效期"):
        assert value in html
    # The operator, their ID number and residence stay off the public page.
    assert person.id_number not in html and person.name not in html
    assert "长江路12号" not in html and "operator" not in str(data)


def test_a_receipt_adds_nothing_to_the_masked_summary(flow):
    registration = flow.register()
    with flow.quanke.db.session() as session:
        receipt = session.scalars(select(Document).where(Document.application_id == registration.id,
                                                         Document.kind == "receipt")).one()
    issuance.pdf_bytes(flow.quanke, receipt.id)
    _html, data = _page(flow, receipt.verification_code)
    assert "fields" not in data


def test_food_permit_verification_shows_its_number_and_expiry(flow, bl_world):
    from plugins.business_license.domain import filing
    from plugins.business_license.models import FoodPermit
    applicant = flow.person()
    joint = filing.file_joint(flow.quanke, bl_world.counter, applicant_id=applicant.id,
                              form_data={**flow.registration_form(applicant), **flow.food_form()},
                              paper=["operator_id", "premises_proof", "food_commitment", "layout_plan"],
                              consent=True)
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, joint.bundle.reference)
    flow.decide(joint.registration)
    flow.decide(joint.permit, approver="food_approver")
    with flow.quanke.db.session() as session:
        permit = session.scalars(select(FoodPermit)).one()
        doc = session.scalars(select(Document).where(Document.application_id == joint.permit.id,
                                                     Document.kind == "certificate")).one()
    issuance.pdf_bytes(flow.quanke, doc.id)
    html, data = _page(flow, doc.verification_code)
    fields = {f["label"]: f["value"] for f in data["fields"]}
    assert fields["许可证编号"] == permit.permit_no and fields["经营者名称"] == "南京市玄武区悦来面食馆"
    expiry = permit.valid_until
    assert fields["有效期至"] == f"{expiry.year}年{expiry.month}月{expiry.day}日" and fields["有效期至"] in html
    assert applicant.id_number not in html and applicant.name not in html
