"""Every hook is documented in docs/plugins.md and exercised by a test; hooks behave as documented."""
import inspect
import re
import types
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy import select

from core import hookimpl
from core.contract import hookspecs
from core import acceptance
from core.platform.models import CheckEvidence
from core.contract.host import PluginHost
from core.runtime import Quanke
from core.contract.services import Check, CheckResult
from core.testing import SAMPLE_PLUGIN, drive_to, file_at_counter, seed_world

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if hasattr(fn, "quanke_spec"))


def test_every_hook_is_documented():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    undocumented = [h for h in HOOKS if f"### `{h}`" not in docs]
    assert HOOKS and not undocumented, f"hooks missing from docs/plugins.md: {undocumented}"
    for name in HOOKS:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"


def test_every_hook_is_exercised_by_a_test():
    this = Path(__file__).resolve()
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")
                        if p.resolve() != this)
    # this file's own exercises count, its hook list above does not
    sources += this.read_text(encoding="utf-8").split("# -- exercises --", 1)[1]
    untested = [h for h in HOOKS if not re.search(rf"\b{h}\b", sources)]
    assert not untested, f"hooks no test exercises: {untested}"


# -- exercises --

def _module(name, **hooks):
    module = types.ModuleType(name)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(fn))
    return module


def _runtime(tmp_path, sqlite_template, *plugins):
    import shutil
    shutil.copy(sqlite_template, tmp_path / "h.db")
    return Quanke({"DATABASE_URL": f"sqlite:///{tmp_path}/h.db", "INSTANCE_PATH": str(tmp_path)},
                  extra_plugins=[SAMPLE_PLUGIN, *plugins])


def test_extra_checks_are_added_to_every_service_and_stored(tmp_path, sqlite_template):
    seen = []

    def extra_checks(service, applicant):
        seen.append((service.code, applicant.kind))
        return [Check("bureau.extra", "外部信用核查", lambda ctx: CheckResult.passed("外部库无记录",
                                                                              list_version="v7"))]

    quanke = _runtime(tmp_path, sqlite_template, _module("bureau", extra_checks=extra_checks))
    world = seed_world(quanke)
    app = drive_to(world, "accepted")
    with quanke.db.session() as s:
        codes = [(e.check_code, e.list_version) for e in s.scalars(
            select(CheckEvidence).where(CheckEvidence.application_id == app.id))]
    assert ("bureau.extra", "v7") in codes and ("sample.permit", "person") in seen


def test_application_event_sees_committed_changes_and_cannot_undo_them(tmp_path, sqlite_template):
    events = []

    def application_event(event):
        events.append((event.action, event.from_state, event.to_state))
        if event.action == "accept":
            raise RuntimeError("observer failure")

    quanke = _runtime(tmp_path, sqlite_template, _module("observer", application_event=application_event))
    world = seed_world(quanke)
    app = file_at_counter(world)
    accepted = acceptance.accept(quanke, world.counter, app.id)
    assert accepted.state == "accepted"
    assert ("file", None, "submitted") in events and ("accept", "submitted", "accepted") in events


def test_validate_application_refuses_on_every_filing_path_and_saves_nothing(tmp_path, sqlite_template):
    import pytest

    from core.platform.errors import InvalidInput
    from core.platform.models import Application
    seen, refuse = [], [True]

    def validate_application(service, applicant, form_data, materials, phase):
        seen.append((service.code, phase, sorted(materials), bool(form_data["purpose"]) and bool(applicant.id)))
        if refuse[0]:
            return {"note": "测试插件：该申请人须到窗口说明情况"}

    quanke = _runtime(tmp_path, sqlite_template,
                      _module("gate", validate_application=validate_application))
    world = seed_world(quanke)
    with pytest.raises(InvalidInput) as counter:            # filed at the counter
        file_at_counter(world)
    assert counter.value.code == "invalid_form"
    assert counter.value.details["fields"] == {"note": ["测试插件：该申请人须到窗口说明情况"]}
    with pytest.raises(InvalidInput):                       # the citizen's own draft
        drive_to(world, "draft")
    with quanke.db.session() as s:
        assert s.scalar(select(Application.id)) is None     # nothing saved
    refuse[0] = False
    draft = drive_to(world, "draft")
    refuse[0] = True                                        # the rule changed meanwhile
    with pytest.raises(InvalidInput):
        acceptance.submit_application(quanke, world.citizen, draft.id)
    with quanke.db.session() as s:
        assert s.get(Application, draft.id).state == "draft"
    assert [p for _, p, _, _ in seen] == ["file", "draft", "draft", "submit"]
    assert seen[0][0] == "sample.permit" and seen[0][2] and all(same for *_, same in seen)


def test_identity_provider_first_answer_wins():
    class Registry:
        def __init__(self, tag):
            self.tag = tag

        def reference(self, id_number):
            return {"tag": self.tag}

    none = _module("none_provider", identity_provider=lambda: None)
    real = _module("real_provider", identity_provider=lambda: Registry("real"))
    host = PluginHost(default_plugins=(), extra_plugins=[real, none], load_entry_points=False)
    assert host.hook.identity_provider().reference("x") == {"tag": "real"}


def test_register_blueprints_pages_are_served(tmp_path, sqlite_template):
    bp = Blueprint("hello_plugin", __name__, url_prefix="/api/v1/hello")
    bp.add_url_rule("/ping", "ping", lambda: {"pong": True})
    quanke = _runtime(tmp_path, sqlite_template, _module("hello", register_blueprints=lambda: [bp]))
    from web import create_app
    client = create_app(quanke=quanke).test_client()
    assert client.get("/api/v1/hello/ping").get_json() == {"pong": True}


def test_register_commands_reach_the_cli(monkeypatch):
    from click.testing import CliRunner

    from core.ops import cli

    @click.command("hello-plugin")
    def hello():
        click.echo("来自插件的命令")

    module = _module("cmd_plugin", register_commands=lambda: [hello])
    monkeypatch.setattr(cli, "command_host", lambda: PluginHost(
        default_plugins=(), extra_plugins=[module], load_entry_points=False))
    result = CliRunner().invoke(cli.main, ["hello-plugin"])
    assert result.exit_code == 0 and "来自插件的命令" in result.output


def test_register_jobs_join_the_schedule(tmp_path, sqlite_template):
    job = {"name": "nightly-push", "func": "core.approval.overdue.sweep_overdue", "cron": "0 2 * * *"}
    quanke = _runtime(tmp_path, sqlite_template, _module("jobs_plugin", register_jobs=lambda: [job]))
    names = [j["name"] for j in quanke.jobs.schedule()]
    assert names[:2] == ["overdue-sweep", "outbox-dispatch"] and "nightly-push" in names


def test_register_migrations_and_departments_come_from_plugins():
    host = PluginHost(load_entry_points=False)
    assert len(host.hook.register_migrations()) == 4
    assert set(host.migration_locations()) == {"business_license", "archive_query", "legal_aid", "timebank"}
    assert host.departments["market_regulation"] == "区市场监督管理局"


def test_demo_data_hook_runs_once(tmp_path, sqlite_template):
    calls = []

    def demo_data(quanke, scale):
        calls.append(scale)
        return 0

    quanke = _runtime(tmp_path, sqlite_template, _module("demo_plugin", demo_data=demo_data))
    from core.ops.demo import load_demo
    load_demo(quanke)
    assert calls == ["demo"]


def test_menu_links_and_dashboard_panels_are_collected_per_user():
    def menu_links(user):
        return [{"href": "/x", "label": "插件菜单"}] if user == "counter" else None

    def dashboard_panels(user):
        return [{"title": "今日受理", "value": 3}]

    host = PluginHost(default_plugins=(), load_entry_points=False, extra_plugins=[
        _module("ui_plugin", menu_links=menu_links, dashboard_panels=dashboard_panels)])
    assert host.collect("menu_links", user="counter") == [{"href": "/x", "label": "插件菜单"}]
    assert host.collect("menu_links", user="citizen") == []
    assert host.collect("dashboard_panels", quanke=None, user="x") == [{"title": "今日受理", "value": 3}]
