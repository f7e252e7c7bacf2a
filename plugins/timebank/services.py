"""The services this plugin declares (事项) and the department that approves.

What the core needs to list, file, check, time and certify an application; the hook
implementations in ``plugin.py`` return these."""
from __future__ import annotations

from core.api import Citation, LegalClock, MaterialSpec, ServiceDef
from plugins.timebank import models  # noqa: F401 - registers the plugin's tables
from plugins.timebank.checks import VOLUNTEER_ELIGIBLE
from plugins.timebank.documents import VOLUNTEER_CARD
from plugins.timebank.forms import VolunteerForm

DEPARTMENT = ("timebank", "街道时间银行管理中心")
SERVICE_CODE = "timebank.volunteer"

VOLUNTEER = ServiceDef(
    code=SERVICE_CODE,
    name="时间银行志愿者认证",
    department=DEPARTMENT[0],
    form=VolunteerForm,
    materials=(MaterialSpec("applicant_id", "申请人身份证明"),
               MaterialSpec("photo", "本人近期照片", accepted_types=frozenset({"image/jpeg", "image/png"}),
                   max_bytes=2 * 1024 * 1024, paper_ok=True)),
    clock=LegalClock(
        days=5, basis=Citation.silent("《志愿服务条例》未规定认证时限；5个工作日为时间银行章程承诺时限"),
        extension_days=0, extension_basis=Citation.silent("章程未规定延长"),
        pauses=False, pause_basis=Citation.silent("章程未规定中止计时"),
        notice_within_days=None, deemed_accepted=False,
        notice_basis=Citation.silent("志愿者认证不是行政许可，不发生视为受理")),
    channels=frozenset({"counter", "remote"}),
    identity=frozenset({"sms"}),
    checks=(VOLUNTEER_ELIGIBLE,),
    certificate=VOLUNTEER_CARD,
    keywords=("志愿者", "时间银行", "养老互助", "志愿服务"),
    guide={
        "legal_basis": "《志愿服务条例》、姚坊门时间银行章程",
        "fee": "不收费", "collect": "所在社区便民服务站领取",
        "conditions": "年满16周岁、本人自愿；认证后由社区时间银行管理员建立志愿者档案并开立时间账户",
    },
    example={"community": "C031", "categories": ["companionship", "errands"], "kinds": ["chat", "shopping"],
             "skills": "会做饭，能陪老人聊天、代购药品", "availability": "周末全天"},
)
