"""Unified social credit codes are assigned (credit_code_provider), not invented: the local
generator is the demo/offline provider and says so; an adapter wins; a code already in the
register is never given twice."""
import datetime as dt
import io
import types

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from stdnum.cn import uscc

from core import hookimpl
from core.papers import issuance
from core.platform.errors import InvalidInput, InvalidState
from core.platform.models import Document
from plugins.business_license.documents.licence_layout import DEMO_CODE_NOTE
from plugins.business_license.domain import codes, credit_codes, registration
from plugins.business_license.models import RegisteredBusiness

ASSIGNED = "92320102MA1M2N3P5"  # first 17 of a code from the "national system" below


class National:
    """A stand-in for an adapter of the national code system: hands out the codes it is given."""

    name = "全国统一社会信用代码赋码系统"
    demo = False

    def __init__(self, *issued):
        self.issued, self.calls = list(issued), []

    def assign(self, *, session, authority, entity_type, division, subject):
        self.calls.append((authority, entity_type, division, subject["application_number"]))
        return self.issued.pop(0) if len(self.issued) > 1 else self.issued[0]


def _with_adapter(quanke, adapter):
    module = types.ModuleType("national_codes")
    module.credit_code_provider = hookimpl(lambda quanke: adapter)
    quanke.plugins.pm.register(module, name="national_codes")
    return adapter


def _code(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def _licence_text(flow, app_id) -> str:
    with flow.quanke.db.session() as session:
        doc = session.scalars(select(Document).where(Document.application_id == app_id,
                                                      Document.kind == "certificate")).one()
    data = issuance.pdf_bytes(flow.quanke, doc.id)
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def _page(flow, user, path) -> str:
    from web import create_app
    web = create_app(quanke=flow.quanke)
    web.config.update(TESTING=True)
    client = web.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"u:{user.id}"
        session["_fresh"] = True
    return client.get(path).get_data(as_text=True)


def test_without_an_adapter_codes_are_demo_codes_and_say_so(flow, bl_world):
    app = flow.register()
    business = flow.business(app.id)
    assert business.credit_code_demo and business.credit_code_source == "本地演示赋码（离线）"
    assert DEMO_CODE_NOTE in _licence_text(flow, app.id)
    detail = _page(flow, bl_world.approver, f"/business_license/registry/{business.credit_code}")
    assert "不是全国统一社会信用代码赋码系统赋予的" in detail
    listing = _page(flow, bl_world.approver, "/business_license/registry")
    assert "演示赋码" in listing and "正式运行须安装赋码系统的适配插件" in listing


def test_the_admin_dashboard_names_the_provider(flow, bl_world):
    page = _page(flow, bl_world.sys_admin, "/admin/stats")
    assert "统一社会信用代码赋码" in page and "本地演示赋码（离线）（演示/离线，非赋码系统赋予）" in page


def test_an_adapter_of_the_national_code_system_wins(flow, bl_world):
    adapter = _with_adapter(flow.quanke, National(_code(ASSIGNED)))
    app = flow.register()
    business = flow.business(app.id)
    assert business.credit_code == _code(ASSIGNED) and not business.credit_code_demo
    assert business.credit_code_source == "全国统一社会信用代码赋码系统"
    assert adapter.calls == [("9", "2", "320102", app.number)]
    assert DEMO_CODE_NOTE not in _licence_text(flow, app.id)
    assert "演示赋码" not in _page(flow, bl_world.approver, "/business_license/registry")


def test_a_code_already_registered_is_never_given_again(flow):
    """The sequence would hand out serial 1, but an imported business holds that code."""
    taken = codes.credit_code_for("320102", 1)
    with flow.quanke.db.session() as session:
        session.add(RegisteredBusiness(name="南京市玄武区旧户便利店", name_key="旧户便利店",
                                       credit_code=taken, operator_id_number="320102199001010011",
                                       operator_name="某", address="某路1号", status="active",
                                       registered_on=dt.date(2020, 1, 1),
                                       source="import"))
    business = flow.business(flow.register().id)
    assert business.credit_code == codes.credit_code_for("320102", 2)


def test_the_register_refuses_a_duplicate_code_itself(flow):
    business = flow.business(flow.register().id)
    with pytest.raises(IntegrityError):
        with flow.quanke.db.session() as session:
            session.add(RegisteredBusiness(name="", name_key=None, credit_code=business.credit_code,
                                           operator_id_number="320102199001010011", operator_name="某",
                                           address="某路1号", status="active",
                                           registered_on=business.registered_on))


def test_a_provider_that_keeps_giving_taken_codes_records_nothing(flow):
    first = flow.business(flow.register().id)
    _with_adapter(flow.quanke, National(first.credit_code))
    app = flow.register(flow.person("other_citizen"), issue=False, trade_name="聚福", phone="13900000002")
    assert flow.business(app.id) is None           # the approval stands, the register waits
    with pytest.raises(InvalidState) as err:
        registration.record_registration(flow.quanke, application_id=app.id)
    assert err.value.code == "credit_code_collision" and "全国统一社会信用代码赋码系统" in err.value.message
    assert flow.count(RegisteredBusiness) == 1


def test_a_malformed_code_from_a_provider_is_never_stored(flow):
    _with_adapter(flow.quanke, National("92320102MA1M2N3P5X"))  # wrong check character
    app = flow.register(issue=False)
    with pytest.raises(InvalidInput):
        registration.record_registration(flow.quanke, application_id=app.id)
    assert flow.business(app.id) is None


def test_check_config_warns_in_production_while_codes_are_demo_codes(quanke):
    from plugins.business_license import plugin
    assert plugin.check_config(quanke=quanke) == []             # development: fine
    quanke.config["ENV"] = "production"
    [problem] = plugin.check_config(quanke=quanke)
    assert "不是全国统一社会信用代码赋码系统赋予的" in problem and "生产环境" in problem
    _with_adapter(quanke, National(_code(ASSIGNED)))
    assert plugin.check_config(quanke=quanke) == []


def test_the_provider_answer_goes_through_the_hook(quanke):
    assert credit_codes.provider(quanke) is credit_codes.LOCAL_DEMO
    assert quanke.hook.credit_code_provider(quanke=quanke) is credit_codes.LOCAL_DEMO
