"""The example external plugin ``examples/quanke_residence`` (居住证明, approved by the
community residents' committee): installed as its own distribution, it shows up in the
catalog, the counter, the approver queue and the portal with no edit to the core."""
import importlib.metadata as md
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core.acceptance import catalog
from core.ops import migrate
from core.contract import health
from core.ops import plugin_check
from core.approval import queues
from core import acceptance, approval
from core.platform.models import Application, State, User
from core.contract.host import DEFAULT_PLUGINS, ENTRY_POINT_GROUP, PluginHost
from core.testing import check_plugin, drive_to, file_at_counter, seed_world

ROOT = Path(__file__).resolve().parents[2]
CODE = "residence.certificate"
DEPARTMENT = "residents_committee"


@pytest.fixture
def rquanke(residence_installed, quanke):
    migrate.upgrade(quanke)  # a no-op unless the example was installed after the template DB
    return quanke


@pytest.fixture
def rworld(rquanke):
    return seed_world(rquanke, department=DEPARTMENT)


def test_installed_as_a_separate_distribution_with_no_core_edit(residence_installed):
    assert residence_installed.metadata["Name"] == "quanke-residence"
    [ep] = [e for e in residence_installed.entry_points if e.group == ENTRY_POINT_GROUP]
    assert (ep.name, ep.value) == ("residence", "quanke_residence.plugin")
    assert not any("residence" in dotted for dotted in DEFAULT_PLUGINS)
    imports = re.compile(r"^\s*(import|from)\s+quanke_residence\b", re.M)
    for folder in ("core", "web", "plugins"):  # nothing outside examples/ imports the package
        hits = [p for p in (ROOT / folder).rglob("*.py") if imports.search(p.read_text(encoding="utf-8"))]
        assert not hits, hits
    host = PluginHost(default_plugins=(), strict=True)
    info = host.infos["residence"]
    assert info.enabled and info.origin == "quanke-residence" and info.version == "0.1.0"
    assert host.services[CODE].name == "居住证明" and host.departments[DEPARTMENT] == "社区居民委员会"
    assert md.version("quanke-residence") == "0.1.0"


def test_residence_passes_the_contract(rquanke):
    check_plugin("residence", rquanke)


def test_residence_is_healthy_and_answers_check_config(rquanke):
    report = plugin_check.check(rquanke)
    assert report.plugins["residence"].ok, report.plugins["residence"].problems
    answers = {name: answer for name, answer, _ in
               health.call_each(rquanke.plugins, "check_config", quanke=rquanke)}
    assert answers["residence"] == []


def test_catalog_counter_community_queue_and_portal(rworld):
    quanke = rworld.quanke
    service = quanke.service(CODE)
    assert service.plugin == "residence" and "remote" in service.channels
    found = catalog.search(quanke.plugins.services.values(), "居住证明", channel="remote")
    assert found[0].code == CODE                                         # portal catalog
    assert catalog.search(quanke.plugins.services.values(), "jzzm")[0].code == CODE
    app = file_at_counter(rworld, CODE)                                  # counter
    app = acceptance.accept(quanke, rworld.acceptor, app.id)
    with quanke.db.session() as session:                                 # community approver queue
        approver = session.get(User, rworld.approver.id)
        assert queues.departments_for(approver) == [DEPARTMENT]
        waiting, total = queues.queue(session, DEPARTMENT, status="waiting")
        assert [a.id for a in waiting] == [app.id] and total == 1
    app = approval.claim(quanke, rworld.approver, app.id)
    app = approval.approve(quanke, rworld.approver, app.id)
    app = approval.issue(quanke, rworld.approver, app.id)
    assert app.state == State.ISSUED.value
    from quanke_residence.jobs import record_issued
    assert record_issued(quanke) == 1


def test_every_state_through_the_kit(rworld):
    for state in ["draft", "submitted", "correction_requested", "not_accepted", "withdrawn",
                  "accepted", "in_review", "approved", "rejected", "issued", "delivered",
                  "accepted+paused", "in_review+paused"]:
        app = drive_to(rworld, state, CODE)
        assert app.state == state.partition("+")[0], state
    with rworld.quanke.db.session() as session:
        rows = session.scalars(select(Application).where(Application.service_code == CODE)).unique().all()
        assert {a.department_code for a in rows} == {DEPARTMENT} and len(rows) == 13
