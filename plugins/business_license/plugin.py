"""Hook implementations of the business licence plugin (个体工商户登记 + 食品经营许可)."""
import inspect
from pathlib import Path

from core import hookimpl, hookspecs

from . import models  # noqa: F401 - registers the plugin's tables
from .catalog import FOOD_SAFETY, MARKET_REGULATION
from .services import SERVICES


@hookimpl
def register_departments():
    return [MARKET_REGULATION, FOOD_SAFETY]


@hookimpl
def register_services():
    return list(SERVICES)


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_blueprints():
    from .web import blueprints
    return blueprints()


@hookimpl
def register_commands():
    from .cli import business_license
    return [business_license]


@hookimpl
def register_jobs():
    return [
        # 批管同步: every night, yesterday's and today's approvals to the supervision feed.
        {"name": "business-license-supervision-push",
         "func": "plugins.business_license.supervision.daily_push", "cron": "30 1 * * *"},
        # Catch-up for approvals whose event found no runtime (see events.py); cheap when idle.
        {"name": "business-license-process-decisions",
         "func": "plugins.business_license.events.process_decisions", "interval": 300},
    ]


# The core calls application_event(event=...) today; once the hookspec also passes the
# runtime (quanke=...), this implementation takes it instead of looking for it.
if "quanke" in inspect.signature(hookspecs.application_event).parameters:
    @hookimpl
    def application_event(event, quanke):
        from .events import handle
        handle(quanke, event)
else:
    @hookimpl
    def application_event(event):
        from .events import on_event
        on_event(event)


@hookimpl
def certificate_data(application, session):
    from .certdata import certificate_data as data
    return data(application, session)


@hookimpl
def demo_data(quanke, scale):
    from .demo import load
    return load(quanke, scale=scale)


@hookimpl
def menu_links(user):
    from .web import menu_for
    return menu_for(user)
