"""Hook implementations of the legal aid plugin."""
from pathlib import Path

from core import hookimpl
from core.services import MaterialSpec, ServiceDef

from . import models  # noqa: F401 - registers the plugin's tables
from .checks import ELIGIBILITY
from .documents import GRANT
from .forms import LegalAidForm

DEPARTMENT = ("justice", "区司法局法律援助中心")

APPLICATION = ServiceDef(
    code="legal_aid.application",
    name="法律援助申请",
    department=DEPARTMENT[0],
    form=LegalAidForm,
    materials=(
        MaterialSpec("applicant_id", "申请人身份证明"),
        MaterialSpec("hardship_proof", "经济困难状况说明表或证明材料",
                     description="可以个人诚信承诺代替（《法律援助法》第四十一条）"),
        MaterialSpec("case_materials", "与所申请法律援助事项有关的材料"),
    ),
    deadline_working_days=5,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms"}),
    checks=(ELIGIBILITY,),
    certificate=GRANT,
    keywords=("法援", "律师", "讨薪", "工伤"),
    guide={
        "legal_basis": "《中华人民共和国法律援助法》第三十一条、第三十四条、第四十三条",
        "fee": "免费", "collect": "任一便民服务中心领取或邮寄",
    },
    example={"category": "labour", "opposing_party": "某建筑劳务有限公司",
             "matter": "在工地务工三个月，工资共计一万二千元至今未付。",
             "household_size": 3, "monthly_household_income": 4500},
)


@hookimpl
def register_departments():
    return [DEPARTMENT]


@hookimpl
def register_services():
    return [APPLICATION]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")
