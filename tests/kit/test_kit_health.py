"""``quanke plugins --check`` and :mod:`core.ops.plugin_check`: missing setting, migration not
applied (or only partly), template missing, unknown or deprecated hooks, the ``check_config``
hook itself."""
import shutil
import types
import warnings

import pluggy
import pytest
from click.testing import CliRunner

from core import hookimpl
from core.ops import migrate
from core.contract import health, plugin_settings
from core.ops import plugin_check
from core.ops.cli import main
from core.contract.host import PluginHost
from core.runtime import Quanke
from core.testing import SAMPLE_PLUGIN

NEEDS_SETTING = """
from core import hookimpl
from core.api import require_settings


@hookimpl
def check_config(quanke):
    return require_settings(quanke, "KIT_GATEWAY_URL", "KIT_GATEWAY_KEY")
"""

NEEDS_TEMPLATES = """
from core import hookimpl
from core.api import require_templates


@hookimpl
def check_config(quanke):
    return require_templates(__package__, "kit/guide.html", "kit/letter.html")
"""

REVISION = '''
revision = "{rev}"
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade():
    pass


def downgrade():
    pass
'''

WITH_MIGRATIONS = """
from pathlib import Path

from core import hookimpl


@hookimpl
def register_migrations():
    return str(Path(__file__).parent / "versions")
"""


def _runtime(tmp_path, sqlite_template=None, *, config=None, **host):
    if sqlite_template is not None:
        shutil.copy(sqlite_template, tmp_path / "h.db")
    base = {"DATABASE_URL": f"sqlite:///{tmp_path}/h.db", "INSTANCE_PATH": str(tmp_path)}
    # only the plugins under test (and the installed example): no built-in plugin is needed here
    return Quanke({**base, **(config or {})}, plugins=PluginHost(default_plugins=(), strict=False, **host))


def _module(name, **hooks):
    module = types.ModuleType(name)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(fn))
    return module


def test_check_config_reports_a_missing_setting_until_it_is_given(fake_dists, tmp_path,
                                                                  sqlite_template, monkeypatch):
    fake_dists.add("gateway", NEEDS_SETTING)
    quanke = _runtime(tmp_path, sqlite_template)
    report = plugin_check.check(quanke)
    assert report.problems()["gateway"] == [
        "缺少配置 KIT_GATEWAY_URL（在配置中设置 KIT_GATEWAY_URL，或设置环境变量 QUANKE_KIT_GATEWAY_URL）",
        "缺少配置 KIT_GATEWAY_KEY（在配置中设置 KIT_GATEWAY_KEY，或设置环境变量 QUANKE_KIT_GATEWAY_KEY）"]
    monkeypatch.setenv("QUANKE_KIT_GATEWAY_KEY", "secret")
    quanke.config["KIT_GATEWAY_URL"] = "https://gateway.example/"
    assert plugin_settings.setting(quanke, "KIT_GATEWAY_KEY") == "secret"
    assert plugin_check.check(quanke).plugins["gateway"].ok
    quanke.close()


def test_cli_check_reports_a_missing_setting_by_plugin(fake_dists, tmp_path):
    fake_dists.add("gateway", NEEDS_SETTING)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "QUANKE_INSTANCE_PATH": str(tmp_path)}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["plugins", "--check"], env=env)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("✗ gateway")))
    assert lines[at + 1].strip() == ("- 缺少配置 KIT_GATEWAY_URL（在配置中设置 KIT_GATEWAY_URL，"
                                     "或设置环境变量 QUANKE_KIT_GATEWAY_URL）")
    ok = runner.invoke(main, ["plugins", "--check"], env={
        **env, "QUANKE_KIT_GATEWAY_URL": "https://gw/", "QUANKE_KIT_GATEWAY_KEY": "k"})
    assert ok.exit_code == 0, ok.output
    assert "✓ gateway" in ok.output and "全部插件检查通过" in ok.output


def test_missing_templates_folder_or_file(fake_dists, tmp_path, sqlite_template):
    package = fake_dists.add("kit", NEEDS_TEMPLATES)
    quanke = _runtime(tmp_path, sqlite_template)
    folder = fake_dists.root / package / "templates"
    [problem] = plugin_check.check(quanke).problems()["kit"]
    assert problem.startswith(f"模板目录 {folder} 不存在")
    (folder / "kit").mkdir(parents=True)
    (folder / "kit" / "guide.html").write_text("<p>指南</p>", encoding="utf-8")
    assert plugin_check.check(quanke).problems()["kit"] == [
        f"缺少模板 kit/letter.html（应在 {folder / 'kit' / 'letter.html'}）"]
    (folder / "kit" / "letter.html").write_text("<p>告知书</p>", encoding="utf-8")
    assert plugin_check.check(quanke).plugins["kit"].ok
    quanke.close()


def test_migration_not_applied_then_partly_then_fully(fake_dists, tmp_path):
    package = fake_dists.add("kitmig", WITH_MIGRATIONS, files={
        "versions/kitmig_0001_a.py": REVISION.format(rev="kitmig_0001", down=None,
                                                     labels=("kitmig",), depends="core_0001"),
        "versions/kitmig_0002_b.py": REVISION.format(rev="kitmig_0002", down="kitmig_0001",
                                                     labels=None, depends=None),
    })
    assert (fake_dists.root / package / "versions").is_dir()
    quanke = _runtime(tmp_path)  # an empty database
    problems = plugin_check.check(quanke).problems()
    assert "迁移未应用：数据库中没有 core 分支" in problems["core"][0]
    assert problems["kitmig"] == ["迁移未应用：数据库中没有 kitmig 分支，应为 kitmig_0002（运行 quanke db upgrade）"]
    migrate.upgrade(quanke, "kitmig_0001")
    problems = plugin_check.check(quanke).problems()
    assert problems["kitmig"] == ["迁移未完成：数据库在 kitmig_0001，应为 kitmig_0002（运行 quanke db upgrade）"]
    migrate.upgrade(quanke)
    report = plugin_check.check(quanke)
    assert report.plugins["kitmig"].ok and report.plugins["core"].ok
    quanke.close()


def test_uninstalled_plugin_leaves_an_unknown_revision_and_a_missing_folder_is_named(
        fake_dists, tmp_path):
    fake_dists.add("kitmig", WITH_MIGRATIONS, files={
        "versions/kitmig_0001_a.py": REVISION.format(rev="kitmig_0001", down=None,
                                                     labels=("kitmig",), depends="core_0001")})
    quanke = _runtime(tmp_path)
    migrate.upgrade(quanke)
    quanke.close()
    gone = _runtime(tmp_path, load_entry_points=False)  # uninstalled: nobody knows kitmig_0001
    assert "数据库中有未知的迁移版本 kitmig_0001" in " ".join(plugin_check.check(gone).problems()["core"])
    gone.close()
    off = _runtime(tmp_path, disabled=["kitmig"])  # turned off on purpose: a note, not a problem
    report = plugin_check.check(off)
    assert report.plugins["kitmig"].ok and report.plugins["core"].ok
    assert any(n.startswith("数据库中有未知的迁移版本 kitmig_0001") and "kitmig" in n
               for n in report.plugins["core"].notes)
    lines = report.lines()
    assert any(line.startswith("- kitmig") and line.endswith("已在配置中停用") for line in lines)
    off.close()
    lost = _module("lost_versions", register_migrations=lambda: str(tmp_path / "nowhere"))
    quanke = _runtime(tmp_path, extra_plugins=[lost])
    assert plugin_check.check(quanke).problems()["lost_versions"][0].startswith(
        f"迁移目录 {tmp_path / 'nowhere'} 不存在")
    quanke.close()


def test_unreachable_database_is_a_core_problem(tmp_path):
    quanke = _runtime(tmp_path, config={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    problems = plugin_check.check(quanke).problems()
    assert problems["core"][0].startswith("无法连接数据库")
    quanke.close()


def test_a_hook_name_nobody_specified_and_a_failing_check_config(tmp_path, sqlite_template):
    typo = _module("typo_plugin", register_service=lambda: [])  # not register_services

    def check_config(quanke):
        raise RuntimeError("网关无应答")

    failing = _module("failing_check", check_config=check_config)
    quanke = _runtime(tmp_path, sqlite_template, extra_plugins=[typo, failing])
    problems = plugin_check.check(quanke).problems()
    assert problems["typo_plugin"] == ["实现了不存在的钩子 register_service（拼写错误？见 docs/plugins.md 钩子参考）"]
    assert problems["failing_check"] == ["check_config 出错：RuntimeError('网关无应答')"]
    quanke.close()


def test_check_config_answers_are_kept_per_plugin():
    a = _module("plugin_a", check_config=lambda quanke: ["A 的问题"])
    b = _module("plugin_b", check_config=lambda: None)  # may accept no argument at all
    host = PluginHost(default_plugins=(), load_entry_points=False, extra_plugins=[a, b, SAMPLE_PLUGIN])
    answers = {name: answer for name, answer, _ in
               health.call_each(host, "check_config", quanke=object())}
    assert answers == {"plugin_a": ["A 的问题"], "plugin_b": None}
    assert host.hook.check_config(quanke=object()) == [["A 的问题"]]


def test_deprecated_hook_warns_when_registered_and_is_reported():
    """The compatibility policy's mechanism: a deprecated hookspec carries ``warn_on_impl``
    (or ``warn_on_impl_args`` for one argument); pluggy warns when a plugin implementing it
    registers, and ``quanke plugins --check`` lists it."""
    spec = pluggy.HookspecMarker("quanke")

    class OldSpecs:
        @spec(warn_on_impl=DeprecationWarning("menu_items 已弃用，将在 0.3 移除，请改用 menu_links"))
        def menu_items(user):
            """Deprecated in 0.2."""

        @spec(warn_on_impl_args={"legacy": DeprecationWarning("参数 legacy 已弃用，请改用 scale")})
        def old_args(legacy, scale):
            """Argument ``legacy`` deprecated in 0.2."""

    host = PluginHost(default_plugins=(), load_entry_points=False)
    host.pm.add_hookspecs(OldSpecs)
    old = _module("old_plugin", menu_items=lambda user: [], old_args=lambda legacy: None)
    with pytest.warns(DeprecationWarning, match="menu_items 已弃用"):
        host.pm.register(old, name="old_plugin")
    assert health.hook_problems(host)["old_plugin"] == [
        "使用了已弃用的钩子 menu_items：menu_items 已弃用，将在 0.3 移除，请改用 menu_links",
        "钩子 old_args 的参数 legacy 已弃用：参数 legacy 已弃用，请改用 scale"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # what `pytest -W error::DeprecationWarning` does
        with pytest.raises(DeprecationWarning):
            _register_again(OldSpecs)


def _register_again(specs):
    host = PluginHost(default_plugins=(), load_entry_points=False)
    host.pm.add_hookspecs(specs)
    host.pm.register(_module("old_again", menu_items=lambda user: []), name="old_again")


DECLARES_DEPARTMENT = """
from core import hookimpl


@hookimpl
def register_departments():
    return [("kit_committee", "测试社区居委会")]
"""


def test_declared_department_reaches_the_database_on_upgrade_and_at_start(fake_dists, tmp_path):
    """A fresh production instance: ``db upgrade`` then an approver of the plugin's department."""
    fake_dists.add("kitdept", DECLARES_DEPARTMENT)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "QUANKE_INSTANCE_PATH": str(tmp_path)}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    created = runner.invoke(main, ["user", "create", "juwei", "--name", "居委审批", "--role",
                                   "approver:kit_committee"], env=env,
                            input="long-password-1\nlong-password-1\n")
    assert created.exit_code == 0, created.output
    assert "已创建用户 juwei" in created.output
    assert runner.invoke(main, ["plugins", "--check"], env=env).exit_code == 0

    # a database that lost the row (or was migrated before the plugin was installed)
    from sqlalchemy import delete, select, update

    from core.platform.models import Department
    quanke = Quanke({"DATABASE_URL": env["DATABASE_URL"], "INSTANCE_PATH": str(tmp_path),
                     "PLUGINS_STRICT": False})
    with quanke.db.session() as session:
        session.execute(update(Department).where(Department.code == "archives").values(name="旧名称"))
        session.execute(delete(Department).where(Department.code == "kit_committee"))
    check = runner.invoke(main, ["plugins", "--check"], env=env)
    assert check.exit_code == 1
    lines = check.output.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("✗ kitdept")))
    assert lines[at + 1].strip().startswith("- 部门 kit_committee（测试社区居委会）未写入数据库")
    # start-up (the web app, as gunicorn builds it) writes it back, with the declared names
    from web import create_app
    create_app(quanke=quanke)
    with quanke.db.session() as session:
        names = dict(session.execute(select(Department.code, Department.name)).all())
    quanke.close()
    assert names["kit_committee"] == "测试社区居委会" and names["archives"] == "区档案馆"
    assert runner.invoke(main, ["plugins", "--check"], env=env).exit_code == 0
