"""Hook implementations of the time bank plugin."""
from pathlib import Path

from core import hookimpl
from core.services import MaterialSpec, ServiceDef

from . import models  # noqa: F401 - registers the plugin's tables
from .checks import VOLUNTEER_ELIGIBLE
from .documents import VOLUNTEER_CARD
from .forms import VolunteerForm

DEPARTMENT = ("timebank", "街道时间银行管理中心")

VOLUNTEER = ServiceDef(
    code="timebank.volunteer",
    name="时间银行志愿者认证",
    department=DEPARTMENT[0],
    form=VolunteerForm,
    materials=(MaterialSpec("applicant_id", "申请人身份证明"),
               MaterialSpec("photo", "本人近期照片", accepted_types=frozenset({"image/jpeg", "image/png"}),
                   max_bytes=2 * 1024 * 1024, paper_ok=True)),
    deadline_working_days=5,
    channels=frozenset({"counter", "remote"}),
    identity=frozenset({"sms"}),
    checks=(VOLUNTEER_ELIGIBLE,),
    certificate=VOLUNTEER_CARD,
    keywords=("志愿者", "时间银行", "养老互助"),
    guide={
        "legal_basis": "《志愿服务条例》、姚坊门时间银行章程",
        "fee": "不收费", "collect": "所在社区便民服务站领取",
    },
    example={"community": "C031", "categories": ["companionship", "errands"],
             "skills": "会做饭，能陪老人聊天、代购药品", "availability": "周末全天"},
)


@hookimpl
def register_departments():
    return [DEPARTMENT]


@hookimpl
def register_services():
    return [VOLUNTEER]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")
