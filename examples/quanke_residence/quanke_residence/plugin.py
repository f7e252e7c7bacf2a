"""Hook implementations of the residence plugin (插件 residence：居住证明).

Found through the ``quanke.plugins`` entry point in ``setup.cfg``; the core never imports it
by name. Reference of every hook: ``docs/plugins.md``.
"""
from pathlib import Path

from core.api import MaterialSpec, ServiceDef, hookimpl, require_templates

from . import models  # noqa: F401 - registers the plugin's table on core.platform.db.Base
from .checks import DURATION, REPEAT
from .documents import CERTIFICATE
from .forms import ResidenceForm

PLUGIN = "residence"
#: The approver: the community residents' committee (社区居委会) where the applicant lives.
DEPARTMENT = ("residents_committee", "社区居民委员会")

SERVICE = ServiceDef(
    code="residence.certificate",
    name="居住证明",
    department=DEPARTMENT[0],
    form=ResidenceForm,
    materials=(
        MaterialSpec("id_card", "居民身份证"),
        MaterialSpec("property_deed", "不动产权证书", description="自有住房提供"),
        MaterialSpec("lease", "房屋租赁合同（已登记备案）", alternative_to="property_deed",
                     description="租赁住房提供，可代替不动产权证书"),
        MaterialSpec("household_book", "居民户口簿", required=False),
    ),
    deadline_working_days=3,
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"sms"}),
    checks=(DURATION, REPEAT),
    certificate=CERTIFICATE,
    keywords=("居住证明", "住址证明", "居住地证明", "社区证明"),
    guide={"legal_basis": "《居住证暂行条例》（国务院令第663号）",
           "fee": "不收费", "collect": "所在社区便民服务站领取，或选择邮寄"},
    example={"community": "C031", "address": "尧佳路8号3栋502室", "since": "2021-03-01",
             "housing": "rent", "purpose": "residence_permit", "purpose_other": "", "remarks": ""},
)


@hookimpl
def register_departments():
    return [DEPARTMENT]


@hookimpl
def register_services():
    return [SERVICE]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_jobs():
    return [{"name": "residence-record-issued", "func": "quanke_residence.jobs.record_issued",
             "interval": 600}]


@hookimpl
def check_config(quanke):
    return require_templates(__package__, "residence/guide.html")
