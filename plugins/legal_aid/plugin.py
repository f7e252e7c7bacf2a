"""Hook implementations of the legal aid plugin (法律援助申请)."""
from __future__ import annotations

import logging
import time
import weakref
from pathlib import Path

from core.api import hookimpl
from plugins.legal_aid import models  # noqa: F401 - registers the plugin's tables
from plugins.legal_aid.domain.access import (
    DEPARTMENTS,
    is_bureau,
    is_centre,
    may_keep_roster,
    may_read,
)
from plugins.legal_aid.domain.status import SERVICE
from plugins.legal_aid.services import APPLICATION  # noqa: F401 - declared there

log = logging.getLogger(__name__)


@hookimpl
def register_departments():
    return list(DEPARTMENTS)


@hookimpl
def register_services():
    return [APPLICATION]


@hookimpl
def validate_application(service, form_data, materials, phase):
    """A notification (Art. 25, 28) comes from the court, procuratorate or police and is
    registered by staff on the organ's behalf, with the organ's letter; never online."""
    if service.code != SERVICE:
        return None
    from plugins.legal_aid.domain.notifications import notification_answers
    return notification_answers(form_data, materials, phase)


@hookimpl
def check_config(quanke):
    """The centre → area settings (the means test's area) and the retired counting setting."""
    from core.api import require_templates
    from plugins.legal_aid.domain.deadlines import counting_problems
    from plugins.legal_aid.domain.receipt import config_problems
    with quanke.db.session() as session:
        problems = config_problems(quanke, session)
    return problems + counting_problems(quanke) + require_templates(__package__, "legal_aid/guide.html")


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_commands():
    from plugins.legal_aid.commands import legal_aid
    return [legal_aid]


@hookimpl
def register_jobs():
    return [{"name": "legal-aid-follow-up", "func": "plugins.legal_aid.domain.followup.sweep", "interval": 120}]


@hookimpl
def register_blueprints():
    from plugins.legal_aid.api import bp as api_bp
    from plugins.legal_aid.views import bp as pages_bp
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
    from plugins.legal_aid.domain.followup import enqueue_follow_up
    enqueue_follow_up(quanke, event.application_id)
    return None


@hookimpl
def certificate_data(application, session):
    if getattr(application, "service_code", None) != SERVICE:
        return None
    from plugins.legal_aid.documents.letters import decision_evidence
    evidence = decision_evidence(session, application.id) or {}
    # The grounds of a grant are the findings of an eligible assessment; nothing else.
    basis = list(evidence.get("reasons", [])) if evidence.get("outcome") == "eligible" else []
    return {"legal_aid": {"basis": basis, "path": evidence.get("path"),
                          "standard": evidence.get("standard")}}


@hookimpl
def demo_data(quanke, scale):
    from plugins.legal_aid.demo import load
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
    from plugins.legal_aid.models import Termination
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

            from plugins.legal_aid.models import Objection
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
    from plugins.legal_aid.domain.queries import count_waiting_for_lawyer
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
             "href": "/legal-aid/cases?status=granted", "department": "justice"}]


@hookimpl
def display_names():
    from plugins.legal_aid.labels import display_names as names
    return names()
