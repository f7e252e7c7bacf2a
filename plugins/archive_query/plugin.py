"""Hook implementations of the archive query plugin."""
from pathlib import Path

from core import hookimpl
from core.services import MaterialSpec, ServiceDef

from . import models  # noqa: F401 - registers the plugin's tables
from .checks import QUERY_BASIS
from .documents import RESULT
from .forms import ArchiveQueryForm

DEPARTMENT = ("archives", "区档案馆")

QUERY = ServiceDef(
    code="archive_query.query",
    name="档案查询（e站通）",
    department=DEPARTMENT[0],
    form=ArchiveQueryForm,
    materials=(
        MaterialSpec("applicant_id", "申请人身份证明"),
        MaterialSpec("power_of_attorney", "经公证的委托书", required=False),
        MaterialSpec("kinship_proof", "死亡证明及亲属关系证明", required=False),
        MaterialSpec("investigation_letter", "法院或律师调查函", required=False),
    ),
    deadline_working_days=5,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms"}),
    checks=(QUERY_BASIS,),
    certificate=RESULT,
    keywords=("查档", "婚姻档案", "退伍", "招工", "计生"),
    guide={
        "legal_basis": "《中华人民共和国档案法》《档案馆档案利用办法》",
        "fee": "不收费", "collect": "任一社区便民服务站领取或在线下载",
    },
    example={"category": "marriage", "subject_name": "{name}",
             "subject_id_number": "{id_number}", "basis": "self",
             "purpose": "办理房产手续"},
)


@hookimpl
def register_departments():
    return [DEPARTMENT]


@hookimpl
def register_services():
    return [QUERY]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")
