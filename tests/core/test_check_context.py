"""A check sees the application it checks: id, number, filing date and acceptance date
(``CheckContext``), so a rule "at the application date" does not use the check's own time."""
import datetime as dt
import types

from core import hookimpl
from core.api import CheckResult, Check, local_date
from core.acceptance import accept, preview_checks
from core.approval import approve, claim
from core.platform.models import Application
from core.testing import file_at_counter, seed_world
from core.runtime import Quanke
from core.testing import SAMPLE_PLUGIN


def _runtime(tmp_path, sqlite_template, *plugins):
    import shutil
    shutil.copy(sqlite_template, tmp_path / "h.db")
    return Quanke({"DATABASE_URL": f"sqlite:///{tmp_path}/h.db", "INSTANCE_PATH": str(tmp_path)},
                  extra_plugins=[SAMPLE_PLUGIN, *plugins])


def _recording_plugin(seen):
    def run(ctx):
        seen.append(ctx)
        return CheckResult.passed(f"申请日期 {local_date(ctx.filed_at):%Y-%m-%d}")

    module = types.ModuleType("dated_rule")
    module.extra_checks = hookimpl(lambda service, applicant: [Check("dated.rule", "申请日期核查", run)])
    return module


def test_checks_see_the_application_and_its_filing_and_acceptance_dates(tmp_path, sqlite_template):
    seen = []
    quanke = _runtime(tmp_path, sqlite_template, _recording_plugin(seen))
    world = seed_world(quanke)
    app = file_at_counter(world, "sample.permit")
    reasons = {code: r.reasons for code, _, r in preview_checks(quanke, app.id)}
    later = app.submitted_at + dt.timedelta(days=3)       # accepted three days after filing
    accept(quanke, world.acceptor, app.id, at=later)
    claim(quanke, world.approver, app.id)
    approve(quanke, world.approver, app.id)
    with quanke.db.session() as session:
        stored = session.get(Application, app.id)
        filed, accepted, number = stored.submitted_at, stored.accepted_at, stored.number
    assert reasons["dated.rule"] == (f"申请日期 {local_date(filed):%Y-%m-%d}",)
    preview, at_acceptance, at_decision = seen
    assert {c.application_id for c in seen} == {app.id} and {c.application_no for c in seen} == {number}
    assert {c.filed_at for c in seen} == {filed}
    assert at_acceptance.now == later and at_acceptance.accepted_at == later == accepted
    assert at_decision.phase == "decision" and at_decision.accepted_at == accepted
    assert at_decision.now > at_decision.filed_at and at_decision.now != accepted
    assert preview.phase == "acceptance" and preview.accepted_at == preview.now
