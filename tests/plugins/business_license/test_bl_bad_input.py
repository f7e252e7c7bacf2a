"""Bad input: a clear Chinese message on the right field, and nothing saved."""
import pytest
from sqlalchemy import text

from core import acceptance
from core.ops.demo import valid_resident_id
from core.platform.errors import InvalidInput
from core.platform.models import Application, Material
from plugins.business_license.domain import filing
from plugins.business_license.domain.lookups import FOOD_PERMIT, REGISTRATION


def _state(flow):
    with flow.quanke.db.session() as session:
        audit_events = session.scalar(text("SELECT count(*) FROM audit_events"))
    return flow.count(Application), flow.count(Material), audit_events


def _nothing_saved(flow, before):
    assert _state(flow) == before


def _fields(flow, form, *, paper=None, service=REGISTRATION):
    before = _state(flow)
    with pytest.raises(InvalidInput) as err:
        flow.file(service, form, paper=paper)
    assert err.value.code == "invalid_form"
    _nothing_saved(flow, before)
    return err.value.details["fields"]


MINOR = valid_resident_id("32010220150101002")  # born 2015


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"operator_id_number": "320102199001011235"}, "operator_id_number", "校验位不正确"),
    ({"operator_id_number": "32010219900101"}, "operator_id_number", "应为18位"),
    ({"operator_id_number": "320102199002301234"}, "operator_id_number", "出生日期不存在"),
    ({"operator_id_number": MINOR}, "operator_id_number", "须年满18周岁"),
    ({"trade_name": ""}, "trade_name", "请填写字号"),
    ({"trade_name": "中华"}, "trade_name", "不得使用国家或地区名称"),
    ({"trade_name": "老王", "industry": "便利公司"}, "industry", "企业组织形式用语"),
    ({"trade_name": "特供"}, "trade_name", "欺骗或者误解"),
    ({"trade_name": "ABC"}, "trade_name", "只能使用规范汉字"),
    ({"trade_name": "老中", "industry": "国味"}, "trade_name", "“中国”"),
    ({"name_form": "公司"}, "name_form", "不在可选范围内"),
    ({"scopes": ["catering", "casino"]}, "scopes", "经营范围“casino”不在可选范围内"),
    ({"scopes": []}, "scopes", "请至少选择一项经营范围"),
    ({"capital": -5000}, "capital", "资金数额应为正数"),
    ({"capital": 0}, "capital", "资金数额应为正数"),
    ({"capital": 5_000_000_000}, "capital", "明显不合理"),
    ({"capital": "五万"}, "capital", "应为整数"),
    ({"employees": 100000}, "employees", "明显不合理"),
    ({"phone": "12345"}, "phone", "手机号码应为11位"),
    ({"street": "atlantis"}, "street", "街道“atlantis”不在可选范围内"),
    ({"organisation_form": "family"}, "family_members", "家庭经营须填写参加经营的家庭成员"),
    ({"family_members": ["李梅 320102199002021234 配偶"]}, "family_members", "个人经营不填写家庭成员"),
    ({"organisation_form": "family", "family_members": ["李梅 320102199002021235 配偶"]},
     "family_members", "第1位家庭成员（李梅）：身份证号码校验位不正确"),
    ({"organisation_form": "family", "family_members": ["李梅 配偶"]}, "family_members", "第1行应为"),
])
def test_registration_form_errors_name_the_field(flow, overrides, field, fragment):
    fields = _fields(flow, flow.registration_form(**overrides))
    assert field in fields, fields
    assert any(fragment in m for m in fields[field]), fields[field]


def test_the_generic_core_filing_path_rejects_the_same_form_errors(flow, bl_world):
    """The form itself carries the rules: core.acceptance.filing.file_application rejects a minor too."""
    before = _state(flow)
    with pytest.raises(InvalidInput) as err:
        acceptance.file_application(flow.quanke, bl_world.counter, service_code=REGISTRATION,
                                  applicant_id=flow.person().id,
                                  form_data=flow.registration_form(operator_id_number=MINOR),
                                  paper=["operator_id"], consent=True)
    assert "须年满18周岁" in err.value.details["fields"]["operator_id_number"][0]
    _nothing_saved(flow, before)


def test_a_name_already_registered_is_refused_with_the_clashing_name(flow):
    code = flow.business(flow.register().id).credit_code
    fields = _fields(flow, flow.registration_form(flow.person("other_citizen"), phone="13900000002"))
    message = fields["trade_name"][0]
    assert "南京市玄武区悦来面食馆" in message and "相同" in message and code in message


def test_a_similar_name_same_trade_name_and_industry_is_refused(flow):
    flow.register()
    fields = _fields(flow, flow.registration_form(flow.person("other_citizen"), name_form="店"))
    assert "近似" in fields["trade_name"][0] and "悦来面食馆" in fields["trade_name"][0]


def test_operator_must_be_the_applicant(flow):
    other = flow.person("other_citizen")
    fields = _fields(flow, flow.registration_form(operator_id_number=other.id_number,
                                                  operator_name=other.name))
    assert "经营者须为申请人本人" in fields["operator_id_number"][0]


def test_no_premises_proof_is_recorded_then_listed_in_the_one_time_notice(flow):
    """The citizen is at the counter without the premises proof: the counter records the
    application, cannot accept it, and the one-time notice lists the gap (一次性告知)."""
    app = flow.file(REGISTRATION, flow.registration_form(), paper=["operator_id"])
    assert app.state == "submitted"
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(flow.quanke, flow.world.counter, app.id, warn_reason="已核实")
    assert err.value.code == "materials_missing" and "经营场所使用证明" in err.value.message
    returned = acceptance.return_for_correction(flow.quanke, flow.world.counter, app.id)
    with flow.quanke.db.session() as session:
        gaps = session.get(Application, app.id).decisions[-1].gaps
    assert returned.state == "correction_requested"
    assert [(g["code"], g["name"]) for g in gaps] == [("premises_proof", "经营场所使用证明")]
    assert "承诺书代替" in gaps[0]["reason"]


def test_food_permit_without_a_registered_business_or_bundle(flow):
    fields = _fields(flow, flow.food_form(), service=FOOD_PERMIT, paper=["operator_id"])
    assert "统一社会信用代码" in fields["credit_code"][0]


def test_food_items_must_fit_the_business_type(flow):
    fields = _fields(flow, flow.food_form(credit_code="92320102MA00000032", food_category="food_sales",
                                          food_items=["hot"]), service=FOOD_PERMIT)
    assert "“食品销售经营者”不能申请：热食类食品制售" in fields["food_items"][0]


def test_joint_form_needs_the_food_scope_and_saves_nothing(flow, bl_world):
    form = {**flow.registration_form(scopes=["general_retail"]), **flow.food_form()}
    before = _state(flow)
    with pytest.raises(InvalidInput) as err:
        filing.file_joint(flow.quanke, bl_world.counter, applicant_id=flow.person().id, form_data=form,
                          paper=["operator_id", "premises_proof", "food_commitment",
                                 "layout_plan"], consent=True)
    assert "经营范围须包含“餐饮服务”" in err.value.details["fields"]["scopes"][0]
    _nothing_saved(flow, before)
