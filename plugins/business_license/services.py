"""The four service declarations (事项): registration, change, deregistration, food permit."""
from __future__ import annotations

from core.api import (
    DISHONEST_APPLICANT,
    Citation,
    MaterialSpec,
    ServiceDef,
    licensing_clock,
)
from plugins.business_license import checks
from plugins.business_license.documents import (
    DEREGISTRATION_NOTICE,
    FOOD_PERMIT,
    LICENCE,
)
from plugins.business_license.domain import capacity, catalog, codes, law
from plugins.business_license.domain.lookups import CHANGE, DEREGISTRATION, REGISTRATION
from plugins.business_license.domain.lookups import FOOD_PERMIT as FOOD_PERMIT_CODE
from plugins.business_license.forms import (
    ChangeForm,
    DeregistrationForm,
    FoodPermitForm,
    RegistrationForm,
)

IMAGES = frozenset({"image/jpeg", "image/png"})
#: A well-formed credit code for the examples (contract check, previews).
EXAMPLE_CREDIT_CODE = codes.credit_code_for(catalog.DEFAULT_DIVISION_CODE, 0)  # serial 0 is never assigned

PREMISES_COMMITMENT_TEXT = (
    "本人承诺：所填报的经营场所真实存在，本人依法享有使用权，可用于所申请的经营活动，"
    "不属于违章建筑、危险建筑或被征收拆迁范围。如有不实，愿承担被列入经营异常名录、"
    "记入信用记录及其他相应法律责任。")
FOOD_COMMITMENT_TEXT = (
    "本人承诺：经营场所、设施设备、人员及食品安全管理制度符合《食品经营许可和备案管理办法》"
    "规定的条件；从事接触直接入口食品工作的人员均持有有效健康证明；所提交材料真实。"
    "经核查不符合承诺条件的，愿承担许可被撤销、记入信用记录等法律责任。")

REGISTRATION_REGULATION = "市场主体登记管理条例"
#: 条例第十九条: complete materials are registered on the spot, otherwise within 3 working
#: days; complex cases +3 working days with the head's approval. The regulation sets no window
#: for the correction notice, so the Licensing Law's (Art. 32, registration being a licence of
#: Art. 12 item 5) applies, with its deemed acceptance.
REGISTRATION_CLOCK = licensing_clock(
    3, basis=Citation(REGISTRATION_REGULATION, "第十九条", "不能当场登记的，应当在3个工作日内予以登记"),
    extension_days=3,
    extension_basis=Citation(REGISTRATION_REGULATION, "第十九条", "情形复杂的，经登记机关负责人批准，可以再延长3个工作日"))
#: Food licences under 告知承诺: the centre promises one working day, within the Licensing
#: Law's twenty (Art. 42) and its extension.
FOOD_PERMIT_CLOCK = licensing_clock(1)

COMMON_GUIDE = {
    "fee": "不收费",
    "collect": "任一便民服务中心领取，或免费邮寄；电子证照同步发放",
    "remote": "网上申请须完成人脸核验、短信验证和电子签名",
}

REGISTRATION_SERVICE = ServiceDef(
    code=REGISTRATION,
    name="个体工商户设立登记",
    department=catalog.MARKET_REGULATION[0],
    form=RegistrationForm,
    materials=(
        MaterialSpec("operator_id", "经营者身份证明"),
        MaterialSpec("premises_photos", "经营场所照片", required=False, accepted_types=IMAGES,
                     max_bytes=5_000_000, description="门头及内景照片；以承诺书代替场所证明的，便于事后核查"),
        MaterialSpec("premises_proof", "经营场所使用证明", description="房屋产权证明或租赁合同"),
        MaterialSpec("premises_commitment", "住所（经营场所）承诺书", required=False,
                     alternative_to="premises_proof",
                     description="无法提供场所证明的，可签署承诺书代替；近三年有违反承诺记录的不适用"),
        MaterialSpec("family_proof", "家庭成员关系证明", required=False,
                     description="家庭经营的须提交（户口簿、结婚证等）"),
        MaterialSpec(capacity.INCOME_PROOF, "劳动收入证明", required=False,
                     description="经营者16、17周岁的须提交：以自己的劳动收入为主要生活来源的证明"
                                 f"（{law.FULL_CAPACITY.short}）"),
    ),
    clock=REGISTRATION_CLOCK,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms", "esign"}),
    checks=(DISHONEST_APPLICANT, checks.OPERATOR_IS_APPLICANT, checks.OPERATOR_CAPACITY, checks.FAMILY_CREDIT,
            checks.NAME_CONFLICT, checks.PREMISES, checks.FAMILY_PROOF, checks.PLAUSIBILITY,
            checks.PERMIT_SCOPES),
    certificate=LICENCE,
    commitment=PREMISES_COMMITMENT_TEXT,
    # operator_id_number and phone count by their names; family members' names and IDs too:
    sensitive_fields={"family_members": "people"},
    community=False,
    keywords=("营业执照", "开店", "个体户", "工商登记", "证照联办"),
    guide={**COMMON_GUIDE,
           "legal_basis": "《促进个体工商户发展条例》《市场主体登记管理条例》及其实施细则",
           "conditions": "经营者具有完全民事行为能力：年满18周岁，或16周岁以上以自己的劳动收入为主要生活来源"
                         f"（{law.FULL_CAPACITY.short}）；可以不使用名称（{law.NAME_OPTIONAL.short}），"
                         "使用名称的，不与本区已登记名称相同或近似",
           "time_limit": "材料齐全当场受理，3个工作日内核准；当场核准的30分钟内领取营业执照"},
    example={"trade_name": "老王", "industry": "便利", "name_form": "店",
             "operator_name": "{name}", "operator_id_number": "{id_number}",
             "operator_residence": "江苏省南京市玄武区长江路12号3幢201室",
             "organisation_form": "individual", "street": "xinjiekou",
             "address": "中山路88号一层102室", "scopes": ["general_retail", "fruit"],
             "capital": 50000, "employees": 2, "phone": "13800000001"},
)

CHANGE_SERVICE = ServiceDef(
    code=CHANGE,
    name="个体工商户变更登记",
    department=catalog.MARKET_REGULATION[0],
    form=ChangeForm,
    materials=(
        MaterialSpec("change_application", "个体工商户变更登记申请书"),
        MaterialSpec("licence_original", "营业执照正、副本"),
        MaterialSpec("premises_proof", "新经营场所使用证明", required=False,
                     description="变更经营场所的须提交"),
        MaterialSpec("premises_commitment", "住所（经营场所）承诺书", required=False,
                     description="变更经营场所且无法提供场所证明的，可签署承诺书代替"),
    ),
    clock=REGISTRATION_CLOCK,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms", "esign"}),
    checks=(DISHONEST_APPLICANT, checks.BUSINESS_OWNED, checks.CHANGE_NAME_CONFLICT,
            checks.CHANGE_PREMISES, checks.CHANGE_SCOPES),
    certificate=LICENCE,
    commitment=PREMISES_COMMITMENT_TEXT,
    community=False,
    keywords=("营业执照变更", "改名", "换地址", "经营范围变更"),
    guide={**COMMON_GUIDE, "legal_basis": "《市场主体登记管理条例》第二十四条",
           "result": "换发新营业执照，原执照作废"},
    example={"credit_code": EXAMPLE_CREDIT_CODE, "new_scopes": ["general_retail", "stationery"],
             "new_phone": "13800000002", "reason": "增加文具零售"},
)

DEREGISTRATION_SERVICE = ServiceDef(
    code=DEREGISTRATION,
    name="个体工商户注销登记",
    department=catalog.MARKET_REGULATION[0],
    form=DeregistrationForm,
    materials=(
        MaterialSpec("deregistration_application", "个体工商户注销登记申请书"),
        MaterialSpec("licence_original", "营业执照正、副本", description="缴回原营业执照"),
    ),
    clock=REGISTRATION_CLOCK,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms", "esign"}),
    checks=(checks.BUSINESS_OWNED, checks.DEREGISTRATION_PERMITS),
    certificate=DEREGISTRATION_NOTICE,
    community=False,
    keywords=("注销", "歇业", "关店"),
    guide={**COMMON_GUIDE, "legal_basis": "《市场主体登记管理条例》第三十一条",
           "result": "准予注销登记通知书；营业执照及名下食品经营许可证同时作废"},
    example={"credit_code": EXAMPLE_CREDIT_CODE, "reason": "closing", "settled": True},
)

FOOD_PERMIT_SERVICE = ServiceDef(
    code=FOOD_PERMIT_CODE,
    name="食品经营许可（告知承诺）",
    department=catalog.FOOD_SAFETY[0],
    form=FoodPermitForm,
    materials=(
        MaterialSpec("operator_id", "经营者身份证明"),
        MaterialSpec("food_commitment", "食品经营许可告知承诺书"),
        MaterialSpec("layout_plan", "经营场所平面布局图", description="标明功能区、设备布局和卫生设施"),
        MaterialSpec("safety_rules", "食品安全管理制度", required=False),
    ),
    clock=FOOD_PERMIT_CLOCK,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms", "esign"}),
    checks=(DISHONEST_APPLICANT, checks.PERMIT_COMMITMENT, checks.PERMIT_BUSINESS),
    certificate=FOOD_PERMIT,
    commitment=FOOD_COMMITMENT_TEXT,
    community=False,
    keywords=("食品经营许可证", "餐饮", "小吃店", "告知承诺", "证照联办"),
    guide={**COMMON_GUIDE, "legal_basis": "《食品安全法》第三十五条、《食品经营许可和备案管理办法》",
           "conditions": "近三年无违反告知承诺记录；可与个体工商户设立登记一并申请（证照联办）",
           "after": "许可后20个工作日内现场核查，不符合承诺条件的撤销许可"},
    example={"credit_code": EXAMPLE_CREDIT_CODE, "premises": "中山路88号一层102室",
             "food_category": "catering", "food_items": ["hot", "drinks"], "food_area": 45,
             "food_safety_manager": "{name}", "health_certified": 3, "food_commitment": True},
)

SERVICES = (REGISTRATION_SERVICE, CHANGE_SERVICE, DEREGISTRATION_SERVICE, FOOD_PERMIT_SERVICE)
