"""A 个体工商户 need not use a name (市场主体登记管理条例第八条): registered without one, no name
line on the licence, no name-conflict check."""
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.papers import issuance
from core.platform.errors import InvalidInput
from core.platform.models import CheckEvidence, Document
from plugins.business_license.domain.lookups import REGISTRATION

NO_NAME = {"trade_name": "", "industry": "", "name_form": ""}


def _licence_text(flow, app_id) -> str:
    with flow.quanke.db.session() as session:
        doc = session.scalars(select(Document).where(Document.application_id == app_id,
                                                      Document.kind == "certificate")).one()
    data = issuance.pdf_bytes(flow.quanke, doc.id)
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def test_a_business_without_a_name_is_registered_and_its_licence_has_no_name_line(flow):
    app = flow.register(**NO_NAME)
    business = flow.business(app.id)
    assert app.state == "issued" and business.name == "" and business.name_key is None
    text = _licence_text(flow, app.id)
    assert business.credit_code in text and business.operator_name in text and "个体工商户" in text
    # no name line, and no district-prefixed name (the residence further down has the district)
    assert "名　　称" not in text and "南京市玄武区" not in text.split("经营者住所")[0]


def test_the_name_conflict_check_is_skipped_and_says_why(flow):
    app = flow.register(**NO_NAME)
    with flow.quanke.db.session() as session:
        rows = session.scalars(select(CheckEvidence).where(
            CheckEvidence.application_id == app.id,
            CheckEvidence.check_code == "business_license.name_conflict")).all()
    assert {r.phase for r in rows} == {"acceptance", "decision"}
    assert all(r.outcome == "pass" and not r.hit for r in rows)
    assert "未使用名称" in rows[0].reasons[0] and "市场主体登记管理条例》第八条" in rows[0].reasons[0]


def test_any_number_of_nameless_businesses_may_be_registered(flow):
    first = flow.register(**NO_NAME)
    second = flow.register(flow.person("other_citizen"), phone="13900000002", **NO_NAME)
    assert flow.business(first.id).name_key is None and flow.business(second.id).name_key is None
    assert flow.business(first.id).credit_code != flow.business(second.id).credit_code


def test_a_nameless_business_does_not_clash_with_a_named_one(flow):
    flow.register()                      # 悦来面食馆
    other = flow.register(flow.person("other_citizen"), phone="13900000002", **NO_NAME)
    assert other.state == "issued"


@pytest.mark.parametrize("given, missing, message", [
    ({"trade_name": "悦来", "industry": "", "name_form": ""}, "industry", "使用名称的，请填写行业或经营特点"),
    ({"trade_name": "", "industry": "面食", "name_form": "馆"}, "trade_name", "使用名称的，请填写字号"),
    ({"trade_name": "悦来", "industry": "面食", "name_form": ""}, "name_form", "使用名称的，请选择组织形式用字"),
])
def test_a_name_begun_must_be_completed(flow, given, missing, message):
    with pytest.raises(InvalidInput) as err:
        flow.file(REGISTRATION, flow.registration_form(**given))
    assert any(message in m for m in err.value.details["fields"][missing])


def test_the_register_and_feed_show_that_no_name_is_used(flow, bl_world):
    from plugins.business_license.domain import supervision
    app = flow.register(**NO_NAME)
    supervision.daily_push(flow.quanke)
    from web import create_app
    web = create_app(quanke=flow.quanke)
    web.config.update(TESTING=True)
    client = web.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"u:{bl_world.approver.id}"
        session["_fresh"] = True
    page = client.get("/business_license/registry").get_data(as_text=True)
    operator = flow.business(app.id).operator_name
    assert f"（未使用名称）经营者：{operator}" in page
    assert "（未使用名称）" in client.get("/business_license/supervision").get_data(as_text=True)


def test_a_change_may_give_a_nameless_business_a_name(flow):
    from plugins.business_license.domain.lookups import CHANGE
    code = flow.business(flow.register(**NO_NAME).id).credit_code
    change = flow.decide(flow.file(CHANGE, {"credit_code": code, "change_name": True, "trade_name": "悦来",
                                            "industry": "面食", "name_form": "馆"}))
    assert change.state == "issued"
    with flow.quanke.db.session() as session:
        from plugins.business_license.domain.lookups import business_by_code
        business = business_by_code(session, code)
    assert business.name == "南京市玄武区悦来面食馆" and business.name_key == "悦来面食馆"
