"""Hook implementations of the legal aid plugin (法律援助申请)."""
from __future__ import annotations

import logging
import time
import weakref
from pathlib import Path

from core.api import MaterialSpec, ServiceDef, hookimpl

from . import models  # noqa: F401 - registers the plugin's tables
from .access import CENTRE, DEPARTMENTS, is_bureau, is_centre, may_keep_roster, may_read
from .checks import ELIGIBILITY
from .deadlines import configured_counting
from .documents import GRANT
from .forms import LegalAidForm
from .law import COMMITMENT_TEXT, DECISION_DAYS, cite
from .status import SERVICE

log = logging.getLogger(__name__)

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
    ),
    # Art. 43: "七日内" — days, counted by the configured rule (default: calendar days, an end
    # date on a holiday moving to the next working day).
    deadline_working_days=DECISION_DAYS,
    deadline_counting=configured_counting(),
    channels=frozenset({"counter", "remote", "agent"}),
    identity=frozenset({"face", "sms"}),
    checks=(ELIGIBILITY,),
    certificate=GRANT,
    commitment=COMMITMENT_TEXT,
    keywords=("法援", "法律援助", "律师", "讨薪", "工伤", "家暴", "赡养费"),
    guide={
        "legal_basis": cite("第三十一条至第三十四条、第四十一条至第四十四条、第四十八条、第四十九条"),
        "fee": "免费",
        "time_limit": "自收到申请之日起七日内作出决定；决定给予的，三日内指派律师（" + cite("第四十三条") + "）",
        "collect": "决定书可到任一便民服务中心领取或邮寄，亦可扫码核验",
        "objection": "对不予或终止法律援助的决定有异议的，可以向区司法局提出（" + cite("第四十九条") + "）",
    },
    example={"area_code": "320113", "category": "labour", "opposing_party": "某建筑劳务有限公司",
             "matter": "在工地务工三个月，工资共计一万二千元至今未付。",
             "incident_date": "2026-05-01",
             "household": "本人,{name},1800\n配偶,王某某,1500\n子女,张某某,0",
             "savings": "3000"},
)


@hookimpl
def register_departments():
    return list(DEPARTMENTS)


@hookimpl
def register_services():
    return [APPLICATION]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_commands():
    from .cli import legal_aid
    return [legal_aid]


@hookimpl
def register_jobs():
    return [{"name": "legal-aid-follow-up", "func": "plugins.legal_aid.followup.sweep", "interval": 120}]


@hookimpl
def register_blueprints():
    from .api import bp as api_bp
    from .views import bp as pages_bp
    return [pages_bp, api_bp]


#: Core transitions after which the legal-aid records may need to catch up.
FOLLOW_UP_ACTIONS = frozenset({"accept", "approve", "reject", "withdraw", "refuse"})


@hookimpl
def application_event(event, quanke):
    """React to decisions made anywhere (the plugin's pages, the generic approval pages, the
    core API, scripts): grant letter and lawyer, refusal letter, end of urgent aid. The work
    is a must-not-lose job; the scheduled sweep is the safety net."""
    if event.service_code != SERVICE or event.action not in FOLLOW_UP_ACTIONS:
        return None
    from .followup import enqueue_follow_up
    enqueue_follow_up(quanke, event.application_id)
    return None


@hookimpl
def certificate_data(application, session):
    if getattr(application, "service_code", None) != SERVICE:
        return None
    from .letters import decision_evidence
    evidence = decision_evidence(session, application.id) or {}
    # The grounds of a grant are the findings of an eligible assessment; nothing else.
    basis = list(evidence.get("reasons", [])) if evidence.get("outcome") == "eligible" else []
    return {"legal_aid": {"basis": basis, "path": evidence.get("path"),
                          "standard": evidence.get("standard")}}


@hookimpl
def demo_data(quanke, scale):
    from .demo import load
    return load(quanke, scale=scale)


def _runtime():
    from flask import current_app, has_app_context
    return current_app.extensions.get("quanke") if has_app_context() else None


def _citizen_links(user) -> list[dict] | None:
    """A refused or terminated applicant gets a link to object online (Art. 49)."""
    quanke = _runtime()
    if quanke is None:
        return None
    from sqlalchemy import exists, or_, select

    from core.api import Application, State

    from .models import Termination
    terminated = exists().where(Termination.application_id == Application.id, Termination.status == "in_force")
    with quanke.db.session() as session:
        ids = session.scalars(select(Application.id).where(
            Application.service_code == SERVICE, Application.citizen_id == user.id,
            or_(Application.state == State.REJECTED.value, terminated)).order_by(Application.id.desc())
            .limit(1)).all()
    return [{"href": f"/legal-aid/my/{ids[0]}/objection", "label": "法律援助异议"}] if ids else None


@hookimpl
def menu_links(user):
    from core.api import Citizen
    if isinstance(user, Citizen):
        return _citizen_links(user)
    if not may_read(user):
        return None
    links = [{"href": "/legal-aid/cases", "label": "法律援助案件"},
             {"href": "/legal-aid/stats", "label": "法律援助统计"}]
    quanke = _runtime()
    if quanke is not None and is_bureau(user):
        try:
            from sqlalchemy import func, select

            from .models import Objection
            with quanke.db.session() as session:
                waiting = session.scalar(select(func.count(Objection.id)).where(Objection.status == "pending"))
            links.append({"href": "/legal-aid/cases?objection=pending", "label": "法律援助异议",
                          "badge": waiting or None})
        except Exception:  # noqa: BLE001 - a badge never breaks a page
            log.exception("objection count failed")
    if is_centre(user) or may_keep_roster(user):
        links.append({"href": "/legal-aid/lawyers", "label": "法律援助律师名册"})
        links.append({"href": "/legal-aid/standards", "label": "经济困难标准"})
    return links


#: runtime → (when, count): the panel shows on every queue page of the centre's staff, and
#: its one query reads every granted case (100,000 after a few years of a district), so each
#: worker counts at most once a minute (``LEGAL_AID_PANEL_CACHE_SECONDS``; 0 = every time).
_panel_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _waiting_count(quanke) -> int:
    ttl = float(quanke.config.get("LEGAL_AID_PANEL_CACHE_SECONDS", 60))
    cached = _panel_cache.get(quanke)
    if cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]
    from .queries import count_waiting_for_lawyer
    with quanke.db.session() as session:
        waiting = count_waiting_for_lawyer(session)
    _panel_cache[quanke] = (time.monotonic(), waiting)
    return waiting


@hookimpl
def dashboard_panels(quanke, user):
    if not is_centre(user):
        return None
    quanke = quanke or _runtime()
    if quanke is None:
        return None
    try:
        waiting = _waiting_count(quanke)
    except Exception:  # noqa: BLE001
        log.exception("legal-aid panel failed")
        return None
    return [{"title": "待指派律师的法律援助案件（第四十三条：三日内）", "value": waiting,
             "href": "/legal-aid/cases?status=granted"}]
