"""Demonstration data: a small district (centres, departments, staff, citizens, applications).

Idempotent: the core part is created once; plugins add theirs through ``demo_data``.
"""
from __future__ import annotations

import logging
import random

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from tqdm import tqdm

from core import acceptance, approval
from core.contract.departments import sync_departments  # noqa: F401 - kept importable here
from core.people import applicants
from core.people.users import create_user
from core.people.passwords import DEMO_PASSWORD
from core.platform.errors import QuankeError
from core.platform.models import Centre, CentreService, Citizen, User

log = logging.getLogger(__name__)

#: The demo password meets the password policy (core.people.passwords) like every other, but
#: it is published in the README, so it is no secret whatever its strength: demo data refuses
#: to load into a production deployment (:func:`load_demo`).

CENTRES = [
    # code, name, level, parent
    ("D01", "示范区政务服务中心", "district", None),
    ("S01", "新街口街道便民服务中心", "street", "D01"),
    ("S02", "梅园街道便民服务中心", "street", "D01"),
    ("S03", "玄武门街道便民服务中心", "street", "D01"),
    ("C011", "丹凤街社区便民服务站", "community", "S01"),
    ("C012", "估衣廊社区便民服务站", "community", "S01"),
    ("C021", "大行宫社区便民服务站", "community", "S02"),
    ("C031", "姚坊门社区便民服务站", "community", "S03"),
]

DEMO_LOGINS = [
    ("counter1", "全科社工（新街口街道中心）"),
    ("counter2", "全科社工（梅园街道中心）"),
    ("counter3", "全科社工（丹凤街社区站）"),
    ("approver1", "审批人员（各部门）"),
    ("lead1", "部门负责人（各部门）"),
    ("centreadmin", "中心管理员（新街口街道中心）"),
    ("admin", "系统管理员"),
    ("auditor", "审计人员"),
    ("inspector1", "执法检查人员（各部门的核查任务）"),
]



def valid_resident_id(prefix17: str) -> str:
    """Complete 17 digits with their check digit (demo and test data only)."""
    from stdnum.cn import ric
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


# Citizens with valid resident IDs (places are real Nanjing districts).
CITIZENS = [
    ("13800000001", "张三", valid_resident_id("32010219900307123")),
    ("13800000002", "李四", valid_resident_id("32010219880512432")),
    ("13800000003", "王芳", valid_resident_id("32010419951201002")),
]


def _authorised(level: str, service) -> bool:
    # Community stations take the services meant for them; street and district take all.
    return level != "community" or service.community


def load_demo(quanke, *, scale: str = "demo", progress: bool = False) -> int:
    if quanke.config.get("ENV") == "production":
        raise QuankeError("生产环境不能载入演示数据（演示账号的密码是公开的）", code="demo_in_production")
    created = 0
    with quanke.db.session() as session:
        created += sync_departments(quanke, session)
        centres = {c.code: c for c in session.scalars(select(Centre))}
        for code, name, level, parent in CENTRES:
            if code not in centres:
                centre = Centre(code=code, name=name, level=level,
                                parent_id=centres[parent].id if parent else None,
                                address=f"{name}一楼大厅")
                session.add(centre)
                session.flush()
                centres[code] = centre
                created += 1
        for centre in centres.values():
            have = {s.service_code for s in centre.services}
            for service in quanke.plugins.services.values():
                if service.code not in have and _authorised(centre.level, service):
                    centre.services.append(CentreService(service_code=service.code))
        departments = sorted(quanke.plugins.departments)
        users = {u.username for u in session.scalars(select(User))}
        wanted = [
            ("counter1", "陈晓（全科社工）", ["counter"], "S01"),
            ("counter2", "刘洋（全科社工）", ["counter"], "S02"),
            ("counter3", "赵敏（全科社工）", ["counter"], "C011"),
            ("agent1", "孙红（代办员）", ["agent"], "S01"),
            ("approver1", "周审（审批）", [f"approver:{d}" for d in departments], "D01"),
            ("approver2", "吴审（审批）", [f"approver:{d}" for d in departments], "D01"),
            ("lead1", "郑科长（部门负责人）", [f"dept_lead:{d}" for d in departments]
             + [f"approver:{d}" for d in departments], "D01"),
            ("centreadmin", "钱主任（中心管理员）", ["centre_admin"], "S01"),
            ("admin", "系统管理员", ["sys_admin"], "D01"),
            ("auditor", "冯审计", ["auditor"], "D01"),
            ("inspector1", "韩队员（执法检查）", [f"inspector:{d}" for d in departments], "S01"),
        ]
        for username, name, roles, centre in wanted:
            if username not in users:
                create_user(session, username=username, name=name, password=DEMO_PASSWORD,
                            roles=roles, centre_code=centre, actor="demo")
                created += 1
        for phone, name, id_number in CITIZENS:
            if session.scalar(select(Citizen).where(Citizen.phone_index == phone)) is None:
                applicant, _ = applicants.register(session, kind="person", id_number=id_number,
                                                   name=name, phone=phone, actor="demo")
                session.add(Citizen(phone=phone, name=name, applicant_id=applicant.id))
                created += 1
    created += _demo_applications(quanke, progress=progress)
    if scale in ("district", "district-small"):
        from core.ops.district import SIZES, load_district
        created += load_district(quanke, progress=progress,
                                 size=SIZES["small" if scale == "district-small" else "district"])
    # Plugins know "demo" and "district"; the small district is for quick load-test runs.
    plugin_scale = "demo" if scale == "district-small" else scale
    for count in quanke.hook.demo_data(quanke=quanke, scale=plugin_scale):
        created += count or 0
    return created


def _demo_applications(quanke, *, progress: bool) -> int:
    """A few applications per counter-capable service, in several states."""
    from core.platform.models import Application
    with quanke.db.session() as session:
        if session.scalar(select(Application.id).limit(1)) is not None:
            return 0
        counter = session.scalar(select(User).where(User.username == "counter1"))
        approver = session.scalar(select(User).where(User.username == "approver1"))
        people = list(session.scalars(select(Citizen).options(selectinload(Citizen.applicant))))
    rng = random.Random(20261123)
    services = [s for s in quanke.plugins.services.values()
                if "counter" in s.channels and s.example]
    created = 0
    for service in tqdm(services, desc="演示办件", disable=not progress):
        for i in range(3):
            citizen = rng.choice(people)
            form = service.example_for(citizen.name, citizen.applicant.id_number)
            try:
                app = acceptance.file_application(
                    quanke, counter, service_code=service.code,
                    applicant_id=citizen.applicant_id, form_data=form,
                    paper=[m.code for m in service.materials
                           if m.required and not m.alternative_to],
                    consent=True, consent_text="申请人当面同意代为填报")
                created += 1
                if i >= 1:
                    app = acceptance.accept(quanke, counter, app.id, warn_reason="演示数据")
                if i >= 2:
                    approval.claim(quanke, approver, app.id)
            except QuankeError as exc:
                # A service's own rules may refuse a repeated example (e.g. a name already
                # pending); the demo keeps what went through rather than failing.
                log.info("demo application for %s stopped: %s", service.code, exc.message)
    return created
