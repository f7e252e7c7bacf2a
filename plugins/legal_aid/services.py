"""The service this plugin declares (事项) and the department that approves.

What the core needs to list, file, check, time and certify an application; the hook
implementations in ``plugin.py`` return these."""
from __future__ import annotations

from core.api import Citation, LegalClock, MaterialSpec, ServiceDef
from plugins.legal_aid import models  # noqa: F401 - registers the plugin's tables
from plugins.legal_aid.checks import ELIGIBILITY
from plugins.legal_aid.documents import GRANT
from plugins.legal_aid.domain.access import (
    CENTRE,
)
from plugins.legal_aid.domain.deadlines import COUNTING
from plugins.legal_aid.domain.law import COMMITMENT_TEXT, DECISION_DAYS, cite
from plugins.legal_aid.domain.status import SERVICE
from plugins.legal_aid.forms import LegalAidForm

LAW_NAME = "中华人民共和国法律援助法"
#: Art. 43: decide "自收到申请之日起七日内" — from receipt, in calendar days (an end on a
#: holiday moving on); the law provides no extension and no pause, sets no window for its
#: one-time request for materials (so nothing is deemed accepted), and deems an application
#: withdrawn when the materials are not supplied. The guide shows ``CLOCK.summary()``: "7日".
CLOCK = LegalClock(
    days=DECISION_DAYS, counting=COUNTING, starts="receipt",
    basis=Citation(LAW_NAME, "第四十三条", "自收到法律援助申请之日起七日内进行审查，作出是否给予法律援助的决定"),
    extension_days=0, extension_basis=Citation.silent("《法律援助法》未规定延长审查期限"),
    pauses=False, pause_basis=Citation.silent("《法律援助法》未规定中止审查期限"),
    notice_within_days=None, deemed_accepted=False,
    notice_basis=Citation(LAW_NAME, "第四十三条", "材料不齐全的，应当一次性告知；法律未规定告知期限"),
    deemed_withdrawn=True,
    withdrawal_basis=Citation(LAW_NAME, "第四十三条", "申请人未按要求补充材料或者作出说明的，视为撤回申请"))

APPLICATION = ServiceDef(
    code=SERVICE,
    name="法律援助申请",
    department=CENTRE,
    form=LegalAidForm,
    materials=(
        MaterialSpec("applicant_id", "申请人身份证明"),
        MaterialSpec("case_materials", "与所申请法律援助事项有关的材料"),
        MaterialSpec("income_proof", "经济困难状况证明材料", required=False,
                     description="因经济困难申请的，如实说明经济困难状况（" + cite("第四十一条") + "）"),
        MaterialSpec("integrity_commitment", "经济困难状况个人诚信承诺书", required=False,
                     alternative_to="income_proof",
                     description="可以个人诚信承诺代替证明材料（" + cite("第四十一条") + "）"),
        MaterialSpec("status_proof", "属于第四十二条规定人员的证明材料", required=False,
                     description="有材料证明的，免予核查经济困难状况（" + cite("第四十二条") + "）"),
        MaterialSpec("urgency_proof", "时效、期限即将届满或者需要立即保全的证明材料", required=False,
                     description="申请先行提供法律援助时提交（" + cite("第四十四条") + "）"),
        MaterialSpec("notification_letter", "办案机关的通知辩护（指派律师）公函", required=False,
                     description="人民法院、人民检察院、公安机关通知指派律师时提交，登记通知辩护必需（"
                                 + cite("第二十五条、第二十八条、第三十六条") + "）"),
    ),
    clock=CLOCK,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms"}),
    checks=(ELIGIBILITY,),
    certificate=GRANT,
    # Legal aid is not an administrative licence: no 准予/不予行政许可决定书 from the core. The
    # grant letter is the certificate (给予法律援助决定书), the refusal the plugin's
    # 不予法律援助决定书 (documents/letters.py), both under Art. 43.
    decision_letters="own",
    # Stored encrypted in the form data and shown masked (PIPL Art. 28: a case's facts and a
    # household's finances); opposing_party stays plain — the conflict check looks it up.
    sensitive_fields={"matter": "text", "household": "text", "savings": "text", "other_assets": "text",
                      "opposing_party_id": "id_number"},
    commitment=COMMITMENT_TEXT,
    keywords=("法援", "法律援助", "律师", "讨薪", "工伤", "家暴", "赡养费", "刑事辩护", "通知辩护"),
    guide={
        "legal_basis": cite("第二十四条、第二十五条、第二十八条、第二十九条、第三十一条至第三十四条、"
                            "第三十六条、第四十一条至第四十四条、第四十八条、第四十九条"),
        "fee": "免费",
        "time_limit": ("自收到申请之日起7日内（自然日）作出是否给予法律援助的决定，不得延长；决定给予的，"
                       "自决定之日起3日内指派律师（" + cite("第四十三条")
                       + "）；办案机关通知指派的，自收到通知之日起3日内指派律师（" + cite("第三十六条") + "）"),
        "collect": "决定书可到任一便民服务中心领取或邮寄，亦可扫码核验",
        "objection": "对不予或终止法律援助的决定有异议的，可以向区司法局提出（" + cite("第四十九条") + "）",
    },
    example={"category": "labour", "opposing_party": "某建筑劳务有限公司",
             "matter": "在工地务工三个月，工资共计一万二千元至今未付。",
             "incident_date": "2026-05-01",
             "household": "本人,{name},1800\n配偶,王某某,1500\n子女,张某某,0",
             "savings": "3000"},
)
