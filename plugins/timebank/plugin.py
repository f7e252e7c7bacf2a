"""Hook implementations of the time bank plugin (时间银行, 姚坊门 model)."""
from __future__ import annotations

import logging
from pathlib import Path

from core.api import hookimpl
from plugins.timebank import models  # noqa: F401 - registers the plugin's tables
from plugins.timebank.services import DEPARTMENT, SERVICE_CODE, VOLUNTEER  # noqa: F401 - declared there

log = logging.getLogger(__name__)


JOBS = [
    {"name": "timebank-stars", "func": "plugins.timebank.jobs.award_stars", "cron": "0 1 5 12 *"},
    {"name": "timebank-monthly-report", "func": "plugins.timebank.jobs.monthly_report", "cron": "30 1 1 * *"},
    {"name": "timebank-certify-pending", "func": "plugins.timebank.jobs.certify_pending", "interval": 300},
]


@hookimpl
def register_departments():
    return [DEPARTMENT]


@hookimpl
def register_services():
    return [VOLUNTEER]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_jobs():
    return list(JOBS)


@hookimpl
def register_commands():
    from plugins.timebank.commands import timebank
    return [timebank]


@hookimpl
def register_blueprints():
    from plugins.timebank.api import bp as api_bp
    from plugins.timebank.views import bp
    return [bp, api_bp]


@hookimpl
def application_event(event, quanke):
    """Approval of a certification → profile and accounts, as a must-not-lose job (the
    scheduled ``certify_pending`` catches up if enqueueing ever fails)."""
    if event.service_code != SERVICE_CODE or event.action != "approve":
        return None
    quanke.jobs.enqueue("plugins.timebank.jobs.certify_volunteer", must_not_lose=True,
                        job_id=f"timebank-certify-{event.application_id}", application_id=event.application_id)
    return None


@hookimpl
def check_config(quanke):
    """``quanke plugins --check``: the time-bank rules parse, the pages are installed."""
    from core.api import QuankeError, require_templates
    from plugins.timebank.domain.settings import settings
    problems = []
    try:
        rules = settings(quanke)
    except QuankeError as exc:
        problems.append(exc.message)
    else:
        codes = [c for c, _ in rules.communities]
        if len(set(codes)) != len(codes) or not codes:
            problems.append("时间银行配置 TIMEBANK_COMMUNITIES 的社区编码为空或重复")
        if rules.loan_limit_minutes > rules.storage_cap_minutes:
            problems.append("时间银行配置：借贷上限不应高于存储上限")
    return problems + require_templates(__package__, *(f"timebank/{name}.html" for name in (
        "me", "admin_home", "admin_request", "admin_holder", "verify")))


@hookimpl
def certificate_data(application, session):
    if application.service_code != SERVICE_CODE:
        return None
    from sqlalchemy import select

    from plugins.timebank.models import Volunteer
    number = session.scalar(select(Volunteer.number).where(Volunteer.applicant_id == application.applicant_id))
    return {"volunteer_no": number} if number else None


@hookimpl
def demo_data(quanke, scale):
    from plugins.timebank.demo import load
    return load(quanke, scale=scale)


@hookimpl
def menu_links(user):
    from core.api import Citizen
    from plugins.timebank.domain.access import is_admin, is_social_worker
    if isinstance(user, Citizen):
        return [{"href": "/timebank/me", "label": "我的时间银行"}]
    if is_admin(user) or is_social_worker(user):
        return [{"href": "/timebank/admin", "label": "时间银行"}]
    return None


@hookimpl
def dashboard_panels(quanke, user):
    """Time-bank administrators see what waits for them on their home page."""
    from plugins.timebank.domain.access import is_admin
    if not is_admin(user):
        return None
    if quanke is None:
        return None
    from sqlalchemy import func, select

    from plugins.timebank.domain.access import admin_communities
    from plugins.timebank.domain.settings import settings
    from plugins.timebank.models import ServiceRequest
    with quanke.db.session() as session:
        scope = admin_communities(session, user, settings(quanke))
        stmt = select(func.count(ServiceRequest.id)).where(ServiceRequest.status == "open")
        if scope is not None:
            stmt = stmt.where(ServiceRequest.community.in_(sorted(scope)))
        waiting = session.scalar(stmt)
    return [{"title": "时间银行：待匹配的服务需求", "value": waiting, "href": "/timebank/admin/requests?status=open",
             "department": DEPARTMENT[0]}]


@hookimpl
def display_names():
    from plugins.timebank.labels import display_names as names
    return names()
