"""Selling only prepackaged food is filed, not licensed (食品安全法第三十五条): the joint flow
keeps a filing instead of a permit application, completed with its own receipt."""
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from stdnum.iso7064 import mod_11_10

from core import approval
from core.papers import issuance
from core.platform.errors import InvalidInput
from core.platform.models import Application, Document
from plugins.business_license.documents.letters import letter_pdf
from plugins.business_license.domain import filing
from plugins.business_license.domain.lookups import DEREGISTRATION, FOOD_PERMIT
from plugins.business_license.models import FoodFiling, FoodPermit

PAPER = ["operator_id", "premises_proof"]


def _prepackaged(flow, **overrides):
    form = {**flow.registration_form(scopes=["food_sales", "general_retail"], trade_name="便民",
                                     industry="食品", name_form="店"),
            "food_category": "food_sales", "food_items": ["prepackaged"], "food_area": 20,
            "food_safety_manager": "王经理"}
    form.update(overrides)
    return form


def _file(flow, bl_world, form=None, paper=PAPER):
    return filing.file_joint(flow.quanke, bl_world.counter, applicant_id=flow.person().id,
                             form_data=form or _prepackaged(flow), paper=paper, consent=True)


def _filing(flow) -> FoodFiling:
    with flow.quanke.db.session() as session:
        return session.scalars(select(FoodFiling)).one()


def test_prepackaged_only_files_the_licence_and_a_filing_not_a_permit(flow, bl_world):
    joint = _file(flow, bl_world)
    assert joint.permit is None and joint.filing.status == "pending"
    with flow.quanke.db.session() as session:
        services = set(session.scalars(select(Application.service_code)))
    assert services == {"business_license.individual"}        # no food permit application
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, joint.bundle.reference)
    assert joint.registration.state == "accepted"
    flow.decide(joint.registration)
    row = _filing(flow)
    business = flow.business(joint.registration.id)
    assert row.status == "filed" and row.business_id == business.id and row.filed_on is not None
    number = row.filing_no
    assert number.startswith("YB1320102") and len(number) == 16 and mod_11_10.is_valid(number[2:])
    assert flow.count(FoodPermit) == 0


def test_the_filing_has_its_own_sealed_verifiable_receipt(flow, bl_world):
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, _file(flow, bl_world).bundle.reference)
    flow.decide(joint.registration)
    row = _filing(flow)
    with flow.quanke.db.session() as session:
        doc = session.get(Document, row.document_id)
        found = issuance.lookup(session, doc.verification_code)
    assert doc.kind == "bl_food_filing" and doc.application_id == joint.registration.id
    assert found.status == "valid" and found.summary["kind_label"] == "食品经营备案凭证"
    data = issuance.pdf_bytes(flow.quanke, doc.id)             # rendered already, served by the core
    assert data.startswith(b"%PDF") and b"/Sig" in data
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 1                                     # the seal on the same page
    text = "".join(p.extract_text() or "" for p in pages).replace("\n", "")
    for expected in ("食品经营备案凭证", row.filing_no, flow.business(joint.registration.id).credit_code,
                     "仅销售预包装食品", "食品安全法》第三十五条", "本凭证不是行政许可"):
        assert expected in text, expected


def test_a_filing_asks_neither_the_commitment_nor_health_certificates(flow, bl_world):
    joint = _file(flow, bl_world, _prepackaged(flow, food_commitment=False, health_certified=""))
    assert joint.filing is not None


def test_catering_with_only_prepackaged_food_is_told_to_choose_food_sales(flow, bl_world):
    with pytest.raises(InvalidInput) as err:
        _file(flow, bl_world, _prepackaged(flow, food_category="catering",
                                           scopes=["catering", "food_sales"]))
    message = err.value.details["fields"]["food_category"][0]
    assert "食品销售经营者" in message and "第三十五条" in message
    assert flow.count(Application) == 0


def test_permit_materials_are_not_asked_for_a_filing_and_nothing_is_saved(flow, bl_world):
    with pytest.raises(InvalidInput) as err:
        _file(flow, bl_world, paper=[*PAPER, "food_commitment"])
    assert err.value.code == "material_not_needed" and err.value.field == "food_commitment"
    assert "食品经营许可告知承诺书" in err.value.message
    assert flow.count(Application) == 0 and flow.count(FoodFiling) == 0


def test_a_registered_business_is_not_given_a_permit_for_prepackaged_food(flow):
    code = flow.business(flow.register(scopes=["food_sales"]).id).credit_code
    with pytest.raises(InvalidInput) as err:
        flow.file(FOOD_PERMIT, flow.food_form(credit_code=code, food_category="food_sales",
                                              food_items=["prepackaged"]))
    message = err.value.details["fields"]["food_items"][0]
    assert "不需要取得食品经营许可，应当备案" in message and "第三十五条" in message


def test_a_rejected_licence_lets_the_filing_lapse(flow, bl_world):
    quanke = flow.quanke
    joint = filing.accept_bundle(quanke, bl_world.counter, _file(flow, bl_world).bundle.reference)
    approval.claim(quanke, bl_world.approver, joint.registration.id)
    approval.reject(quanke, bl_world.approver, joint.registration.id, reasons="经营场所为住宅，不符合要求")
    row = _filing(flow)
    assert row.status == "lapsed" and row.filing_no is None and "不予批准" in row.status_reason


def test_deregistration_cancels_the_filing_and_its_receipt(flow, bl_world):
    joint = filing.accept_bundle(flow.quanke, bl_world.counter, _file(flow, bl_world).bundle.reference)
    flow.decide(joint.registration)
    code = flow.business(joint.registration.id).credit_code
    flow.decide(flow.file(DEREGISTRATION, {"credit_code": code, "reason": "closing", "settled": True}))
    row = _filing(flow)
    with flow.quanke.db.session() as session:
        receipt = session.get(Document, row.document_id)
    assert row.status == "cancelled" and receipt.status == "superseded"


def test_the_bundle_page_and_api_show_the_filing(flow, bl_world):
    from core.people import tokens
    from web import create_app
    joint = _file(flow, bl_world)
    web = create_app(quanke=flow.quanke)
    web.config.update(TESTING=True)
    client = web.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"u:{bl_world.counter.id}"
        session["_fresh"] = True
    page = client.get(f"/business_license/bundles/{joint.bundle.reference}").get_data(as_text=True)
    assert "食品经营备案（仅销售预包装食品）" in page and "待营业执照核准后备案" in page
    assert "一并受理" in page
    with flow.quanke.db.session() as session:
        token = tokens.create_token(session, session.merge(bl_world.counter), name="t", actor="test")
    body = client.get(f"/api/v1/business_license/bundles/{joint.bundle.reference}",
                      headers={"Authorization": f"Bearer {token}"}).json
    assert body["permit"] is None and body["filing"]["status"] == "pending"
    accepted = client.post(f"/business_license/bundles/{joint.bundle.reference}",
                           data={"csrf_token": _csrf(page)}, follow_redirects=True)
    assert "已一并受理" in accepted.get_data(as_text=True)
    flow.decide(_registration(flow))
    page = client.get(f"/business_license/bundles/{joint.bundle.reference}").get_data(as_text=True)
    assert _filing(flow).filing_no in page and "食品经营备案凭证" in page
    assert letter_pdf(flow.quanke, _filing(flow).document_id).startswith(b"%PDF")


def _csrf(page: str) -> str:
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _registration(flow):
    with flow.quanke.db.session() as session:
        return session.scalars(select(Application)).one()


def test_one_filing_per_bundle(flow, bl_world):
    _file(flow, bl_world)
    with flow.quanke.db.session() as session:
        assert session.scalar(select(func.count()).select_from(FoodFiling)) == 1
