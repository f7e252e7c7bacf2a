"""Hook implementations of the business licence plugin (个体工商户登记 + 食品经营许可)."""
from pathlib import Path

from core.api import hookimpl
from plugins.business_license import models  # noqa: F401 - registers the plugin's tables
from plugins.business_license.domain.catalog import FOOD_SAFETY, MARKET_REGULATION
from plugins.business_license.services import SERVICES


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
    from plugins.business_license.views import blueprints
    return blueprints()


@hookimpl
def register_commands():
    from plugins.business_license.commands import business_license
    return [business_license]


@hookimpl
def register_jobs():
    return [
        # 批管同步: every night, yesterday's and today's approvals to the supervision feed.
        {"name": "business-license-supervision-push",
         "func": "plugins.business_license.domain.supervision.daily_push", "cron": "30 1 * * *"},
        # Catch-up for decisions whose hook did not finish (see events.py); cheap when idle.
        {"name": "business-license-process-decisions",
         "func": "plugins.business_license.domain.events.process_decisions", "interval": 300},
    ]


@hookimpl
def application_event(event, quanke):
    from plugins.business_license.domain.events import handle
    handle(quanke, event)


@hookimpl
def validate_application(service, applicant, form_data, materials, phase, session):
    """What only the register can tell, on every filing path (see filing.register_errors);
    a portal draft may get its materials later, so they are required from submission on."""
    from plugins.business_license.domain import filing, lookups
    if service.code not in lookups.SERVICES:
        return None
    return filing.register_errors(session, service.code, form_data, applicant, set(materials),
                                  check_materials=phase != "draft")


@hookimpl
def certificate_data(application, session):
    from plugins.business_license.documents.certdata import certificate_data as data
    return data(application, session)


@hookimpl(trylast=True)
def credit_code_provider(quanke):
    """The demo/offline generator: last, so an adapter for the national code system wins."""
    from plugins.business_license.domain.credit_codes import LOCAL_DEMO
    return LOCAL_DEMO


@hookimpl
def dashboard_panels(quanke, user):
    from plugins.business_license.views import panels_for
    return panels_for(quanke, user)


@hookimpl
def demo_data(quanke, scale):
    from plugins.business_license.demo import load
    return load(quanke, scale=scale)


@hookimpl
def menu_links(user):
    from plugins.business_license.views import menu_for
    return menu_for(user)


@hookimpl
def check_config(quanke):
    from core.api import require_templates
    from plugins.business_license.domain.catalog import config_problems
    return config_problems(quanke) + require_templates(
        __package__, *(f"business_license/{name}.html" for name in
                       ("registry", "business", "joint", "bundle", "inspections", "supervision")))


@hookimpl
def display_names():
    from plugins.business_license.labels import display_names as names
    return names()
