"""The plugin contract, its registrations (command, job, pages) and idempotent demo data."""
from click.testing import CliRunner
from sqlalchemy import func, select

from core.ops.cli import main
from core.platform.models import Application
from core.testing import check_plugin, seed_world
from plugins.legal_aid import demo
from plugins.legal_aid.models import Assignment, HardshipStandard, Lawyer


def test_the_plugin_passes_the_contract(quanke):
    check_plugin("legal_aid", quanke)


def test_command_job_departments_and_blueprints_are_registered(quanke, app):
    jobs = {j["name"]: j for j in quanke.jobs.schedule()}
    assert jobs["legal-aid-follow-up"]["func"] == "plugins.legal_aid.domain.followup.sweep"
    assert quanke.plugins.departments["justice_bureau"] == "区司法局"
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert {"/legal-aid/cases", "/api/v1/legal_aid/cases", "/api/v1/legal_aid/stats"} <= rules
    result = CliRunner().invoke(main, ["legal-aid", "--help"])
    assert result.exit_code == 0 and "load-standards" in result.output


def test_demo_data_is_idempotent(quanke):
    seed_world(quanke, department="justice")   # the core's centres, staff and citizens
    assert demo.load(quanke) > 0
    with quanke.db.session() as s:
        counts = (s.scalar(select(func.count(Lawyer.id))), s.scalar(select(func.count(HardshipStandard.id))),
                  s.scalar(select(func.count(Assignment.id))),
                  s.scalar(select(func.count(Application.id)).where(
                      Application.service_code == "legal_aid.application", Application.decided_at.is_not(None))))
    assert counts[0] == len(demo.LAWYERS) and counts[1] == 2 and counts[2] >= 3 and counts[3] == 4
    with quanke.db.session() as s:   # one of them is a court's notification, granted and assigned
        notified = s.scalars(select(Application).where(Application.service_code == "legal_aid.application",
                                                      Application.form_data["category"].as_string() == "notification")).one()
        assert notified.state == "issued" and s.scalar(select(func.count(Assignment.id)).where(
            Assignment.application_id == notified.id)) == 1
    assert demo.load(quanke) == 0
    with quanke.db.session() as s:
        assert s.scalar(select(func.count(Lawyer.id))) == counts[0]
        assert s.scalar(select(func.count(Assignment.id))) == counts[2]
