"""The service this plugin declares (事项) and the department that approves.

What the core needs to list, file, check, time and certify an application; the hook
implementations in ``plugin.py`` return these."""
from core.api import Citation, LegalClock, MaterialSpec, ServiceDef
from plugins.archive_query import models  # noqa: F401 - registers the plugin's tables
from plugins.archive_query.checks import QUERY_BASIS
from plugins.archive_query.domain.basis import CLOSE_RELATIVES, LAWYER_DOCUMENTS
from plugins.archive_query.documents import CERTIFICATE
from plugins.archive_query.domain.results import SERVICE_CODE
from plugins.archive_query.forms import ArchiveQueryForm

DEPARTMENT = ("archives", "区档案馆")

QUERY = ServiceDef(
    code=SERVICE_CODE,
    name="档案查询（e站通）",
    department=DEPARTMENT[0],
    form=ArchiveQueryForm,
    # subject_id_number counts by its name; the record subject's name is masked too.
    sensitive_fields={"subject_name": "name"},
    materials=(
        MaterialSpec("applicant_id", "申请人身份证明", description="窗口核验身份证原件；网上申请上传身份证照片"),
        MaterialSpec("power_of_attorney", "经公证的委托书", required=False,
                     description="受托查询他人档案时提供"),
        MaterialSpec("death_certificate", "死亡证明", required=False,
                     description="查询已故亲属档案时提供"),
        MaterialSpec("kinship_proof", "亲属关系证明", required=False,
                     description="查询已故亲属档案时提供，须证明申请人是当事人的近亲属（配偶、父母、子女、"
                                 "兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女）"),
        MaterialSpec("investigation_letter", "法院或律师调查函", required=False,
                     description="法院调查附人民法院调查函；律师调查附律师事务所调查函"),
        MaterialSpec("case_document", "法院或案件文书", required=False,
                     description="律师调查时提供：立案通知书、法院调查令或载明案号的委托代理合同"
                                 "（律师事务所调查函不能单独作为查询依据）"),
    ),
    clock=LegalClock(
        days=5, basis=Citation.silent("《档案法》《档案馆档案利用办法》未规定办理时限；5个工作日为本中心承诺时限"),
        extension_days=0, extension_basis=Citation.silent("法律未规定延长；承诺时限内未办结的超期督办"),
        pauses=False, pause_basis=Citation.silent("法律未规定中止计时"),
        notice_within_days=None, deemed_accepted=False,
        notice_basis=Citation.silent("档案查询不是行政许可，法律未规定补正告知期限，不发生视为受理")),
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms"}),
    checks=(QUERY_BASIS,),
    certificate=CERTIFICATE,
    keywords=("查档", "档案", "婚姻档案", "退伍", "招工", "计生", "人事任免", "无档案记录证明"),
    guide={
        "legal_basis": "《中华人民共和国档案法》第二十八条；《档案馆档案利用办法》",
        "fee": "不收费",
        "collect": "任一便民服务中心（站）领取或在线下载，扫码验真",
        "conditions": ("本人查询本人档案；查询他人档案须提供经公证的委托书，或死亡证明及近亲属关系证明"
                       f"（近亲属依{CLOSE_RELATIVES.short}），或人民法院调查函，或律师事务所调查函及"
                       f"法院或案件文书（{LAWYER_DOCUMENTS}）"),
        "result": ("档案查询结果证明（只载明查询人有权获知的内容；婚姻档案载明双方当事人的姓名和身份证号）"
                   "或无档案记录证明"),
    },
    example={"category": "marriage", "subject_name": "{name}",
             "subject_id_number": "{id_number}", "basis": "self",
             "purpose": "办理房产手续"},
)
