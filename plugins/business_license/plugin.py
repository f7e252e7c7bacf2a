"""Hook implementations of the business licence plugin."""
from pathlib import Path

from core import hookimpl
from core.credit import DISHONEST_APPLICANT
from core.services import MaterialSpec, ServiceDef

from . import models  # noqa: F401 - registers the plugin's tables
from .checks import NAME_CONFLICT, PLAUSIBILITY
from .documents import LICENCE
from .forms import IndividualBusinessForm

DEPARTMENT = ("market_regulation", "区市场监督管理局")

INDIVIDUAL = ServiceDef(
    code="business_license.individual",
    name="个体工商户设立登记",
    department=DEPARTMENT[0],
    form=IndividualBusinessForm,
    materials=(
        MaterialSpec("operator_id", "经营者身份证明"),
        MaterialSpec("premises_proof", "经营场所使用证明"),
        MaterialSpec("premises_commitment", "住所（经营场所）承诺书", required=False,
                     alternative_to="premises_proof",
                     description="无法提供场所证明的，可签署承诺书代替"),
    ),
    deadline_working_days=3,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms", "esign"}),
    checks=(DISHONEST_APPLICANT, NAME_CONFLICT, PLAUSIBILITY),
    certificate=LICENCE,
    commitment="本人承诺所填经营场所真实、合法、可用于经营，如有不实，愿承担相应法律责任。",
    community=False,
    keywords=("营业执照", "开店", "个体户", "工商登记"),
    guide={
        "legal_basis": "《促进个体工商户发展条例》《市场主体登记管理条例》",
        "fee": "不收费", "collect": "任一便民服务中心领取或免费邮寄",
    },
    example={"business_name": "老王（示范区）便利店", "operator_name": "{name}",
             "organisation_form": "individual", "address": "示范区中山路88号一层",
             "scope": "retail", "capital": 50000, "employees": 2,
             "phone": "13800000001"},
)


@hookimpl
def register_departments():
    return [DEPARTMENT]


@hookimpl
def register_services():
    return [INDIVIDUAL]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")
