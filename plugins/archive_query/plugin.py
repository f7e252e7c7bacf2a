"""Hook implementations of the archive query plugin (档案查询 · e站通)."""
from pathlib import Path

from core.api import hookimpl
from plugins.archive_query import models  # noqa: F401 - registers the plugin's tables
from plugins.archive_query.domain.results import SERVICE_CODE
from plugins.archive_query.services import DEPARTMENT, QUERY  # noqa: F401 - declared there


@hookimpl
def register_departments():
    return [DEPARTMENT]


@hookimpl
def register_services():
    return [QUERY]


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_blueprints():
    from plugins.archive_query.api import api
    from plugins.archive_query.views import bp
    return [bp, api]


@hookimpl
def register_commands():
    from plugins.archive_query.commands import archive
    return [archive]


@hookimpl
def application_event(event, quanke):
    """After acceptance: maybe approve automatically; after approval: store the result.

    Work goes to jobs that must not be lost; the scheduled ``archive-query-sweep`` catches up
    anything a lost job or a switch turned on later left waiting.
    """
    if event.service_code != SERVICE_CODE:
        return None
    if event.action == "accept":
        quanke.jobs.enqueue("plugins.archive_query.domain.autoapproval.auto_decide", must_not_lose=True,
                            job_id=f"archive-auto-{event.application_id}",
                            application_id=event.application_id)
    elif event.action == "approve":
        quanke.jobs.enqueue("plugins.archive_query.domain.autoapproval.record_result", must_not_lose=True,
                            job_id=f"archive-result-{event.application_id}",
                            application_id=event.application_id, actor=event.actor)
    return None


@hookimpl
def validate_application(service, form_data, materials, phase):
    """The materials the chosen basis still needs, keyed by material code: the core lists them
    on the one-time correction notice and refuses acceptance until they are in (a lawyer's
    letter without a court or case document, a kinship proof not yet handed in …). A portal
    draft may get its materials later, so nothing is asked of it yet."""
    if service.code != SERVICE_CODE or phase == "draft":
        return None
    from plugins.archive_query.domain.basis import material_gaps
    return material_gaps(form_data, materials) or None


@hookimpl
def certificate_data(application, session):
    from plugins.archive_query.domain.results import certificate_data as data
    return data(application, session)


@hookimpl
def demo_data(quanke, scale):
    from plugins.archive_query.demo import load
    return load(quanke, scale)


@hookimpl
def menu_links(user):
    from plugins.archive_query.views import menu_links as links
    return links(user)


@hookimpl
def register_jobs():
    return [{"name": "archive-query-sweep", "func": "plugins.archive_query.domain.autoapproval.sweep",
             "interval": 120}]


@hookimpl
def display_names():
    from plugins.archive_query.labels import display_names as names
    return names()


@hookimpl
def dashboard_panels(quanke, user):
    """On the archives queue: the applications waiting for a decision, each a click away from
    the records it would find (the approver checks them before approving)."""
    from plugins.archive_query.domain.access import DEPARTMENT, is_archive_staff
    if quanke is None or not is_archive_staff(user):
        return None
    from markupsafe import Markup, escape
    from sqlalchemy import select

    from core.api import Application
    with quanke.db.session() as s:
        rows = s.execute(select(Application.id, Application.number).where(
            Application.service_code == "archive_query.query",
            Application.state.in_(("accepted", "in_review"))).order_by(Application.id).limit(6)).all()
    if not rows:
        return None
    items = Markup("").join(Markup('<li><a href="/archive/applications/{}/records">{} 核对查到的档案</a></li>')
                            .format(i, escape(n)) for i, n in rows[:5])
    return [{"title": "待审批的档案查询", "html": Markup("<ul>") + items + Markup("</ul>"),
             "department": DEPARTMENT}]
