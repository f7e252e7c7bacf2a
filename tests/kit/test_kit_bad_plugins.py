"""Bad plugins, installed like any third-party package (an entry point in a dist-info):
a duplicate service code, a certificate reading fields its form lacks, a material without a
name, a hook with a wrong signature, an import error. Non-strict (PLUGINS_STRICT=false) the
app starts with that plugin disabled; strict, it refuses to start. Either way the error names
the plugin and the problem — at start-up, in ``quanke plugins`` and in ``quanke plugins --check``.
"""
import importlib
import shutil

import pytest
from click.testing import CliRunner

from core.contract import certificate_fields, health
from core.ops import plugin_check
from core.ops.cli import main
from core.platform.errors import PluginError
from core.contract.host import PluginHost
from core.runtime import Quanke

GOOD = """
from wtforms import Form, StringField
from wtforms.validators import DataRequired

from core import hookimpl
from core.contract.services import MaterialSpec, ServiceDef


class KitForm(Form):
    purpose = StringField("用途", validators=[DataRequired("请填写用途")])


SERVICE = ServiceDef(code="{code}", name="测试事项", department="kit_dept", form=KitForm,
                     materials=(MaterialSpec("id_card", "{material}"),),
                     channels=frozenset({{"counter", "remote"}}), example={{"purpose": "测试"}}{extra})


@hookimpl
def register_departments():
    return [("kit_dept", "测试部门")]


@hookimpl
def register_services():
    return [SERVICE]
"""


def good(code="kit.good", material="居民身份证", extra=""):
    return GOOD.format(code=code, material=material, extra=extra)


CERTIFICATE_WITHOUT_FORM_FIELD = good(code="kit.cert", extra=""",
                     certificate=__import__("core.papers.documents", fromlist=["x"]).CertificateTemplate(
                         "测试证", lambda ctx: [("姓名", ctx.applicant_name),
                                               ("居住地址", ctx.form_data.get("address", ""))])""")

WRONG_SIGNATURE = good(code="kit.sig").replace("def register_services():",
                                              "def register_services(unexpected_argument):")

IMPORT_ERROR = "import kit_dependency_that_is_not_installed  # noqa: F401\n" + good(code="kit.imp")

BARE_SERVICE = good(code="kit.bare").replace("return [SERVICE]", "return SERVICE")
ONE_DEPARTMENT_PAIR = good(code="kit.pair").replace('return [("kit_dept", "测试部门")]',
                                                    'return ("kit_dept", "测试部门")')
SERVICE_NAME_NOT_DEF = good(code="kit.name").replace("return [SERVICE]", 'return ["kit.name"]')
MIGRATIONS_AS_LIST = good(code="kit.mig") + """

@hookimpl
def register_migrations():
    return ["versions"]
"""
JOB_WITHOUT_SCHEDULE = good(code="kit.job") + """

@hookimpl
def register_jobs():
    return [{"name": "kit-sweep", "func": "kit.jobs.sweep"}]
"""
BLUEPRINT_NAME = good(code="kit.bp") + """

@hookimpl
def register_blueprints():
    return ["kit_pages"]
"""

#: case → (plugin source, words the error must contain)
CASES = {
    "bare_service_def": (BARE_SERVICE, ["register_services 应返回列表", "return [SERVICE]"]),
    "one_department_pair": (ONE_DEPARTMENT_PAIR, ["register_departments 应返回 [(编码, 名称)] 列表",
                                                  "return [('kit_dept', '测试部门')]"]),
    "service_code_not_service_def": (SERVICE_NAME_NOT_DEF, ["第 1 项不是 ServiceDef（是 str）"]),
    "migrations_as_list": (MIGRATIONS_AS_LIST, ["register_migrations 应返回 versions 目录的路径"]),
    "job_without_schedule": (JOB_WITHOUT_SCHEDULE, ["任务 kit-sweep 须有 cron 或 interval 之一"]),
    "blueprint_name_not_blueprint": (BLUEPRINT_NAME, ["register_blueprints 返回的第 1 项不是 Flask 蓝图"]),
    "material_without_name": (good(code="kit.noname", material=""), ["kit.noname", "缺少名称"]),
    "wrong_hook_signature": (WRONG_SIGNATURE, ["钩子签名错误", "unexpected_argument"]),
    "import_error": (IMPORT_ERROR, ["导入失败", "kit_dependency_that_is_not_installed"]),
}


def _host(strict):
    return PluginHost(default_plugins=(), strict=strict)


def _env(tmp_path, **extra):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/kit.db", "QUANKE_INSTANCE_PATH": str(tmp_path),
           "QUANKE_PLUGINS_STRICT": "true", "QUANKE_DISABLED_PLUGINS": ""}
    env.update(extra)
    return env


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_plugin_is_disabled_non_strict_and_refused_strict(case, fake_dists):
    source, words = CASES[case]
    fake_dists.add("broken", source)
    fake_dists.add("healthy", good())
    host = _host(strict=False)
    info = host.infos["broken"]
    assert not info.enabled and all(w in info.error for w in words), info.error
    assert host.infos["healthy"].enabled and "kit.good" in host.services
    assert not any(code.startswith("kit.") and code != "kit.good" for code in host.services)
    with pytest.raises(PluginError) as err:
        _host(strict=True)
    assert err.value.plugin == "broken" and "插件 broken" in err.value.message
    assert all(w in err.value.message for w in words), err.value.message


def test_duplicate_service_code_disables_the_second_and_names_both(fake_dists):
    fake_dists.add("first_owner", good(code="kit.same"))
    fake_dists.add("second_owner", good(code="kit.same"))
    host = _host(strict=False)
    disabled = [i for i in host.plugins() if i.name in ("first_owner", "second_owner") and not i.enabled]
    assert len(disabled) == 1
    other = ({"first_owner", "second_owner"} - {disabled[0].name}).pop()
    assert "kit.same 重复" in disabled[0].error and other in disabled[0].error
    assert host.services["kit.same"].plugin == other
    with pytest.raises(PluginError) as err:
        _host(strict=True)
    assert "kit.same 重复" in err.value.message and err.value.plugin == disabled[0].name


def test_the_app_still_starts_non_strict_and_refuses_strict(fake_dists, tmp_path, sqlite_template):
    fake_dists.add("broken", IMPORT_ERROR)
    shutil.copy(sqlite_template, tmp_path / "app.db")
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/app.db", "INSTANCE_PATH": str(tmp_path)}
    quanke = Quanke({**config, "PLUGINS_STRICT": False})
    try:
        from web import create_app
        client = create_app(quanke=quanke).test_client()
        assert client.get("/healthz").get_json() == {"status": "ok"}
        assert not quanke.plugins.infos["broken"].enabled
    finally:
        quanke.close()
    with pytest.raises(PluginError, match="插件 broken: 导入失败"):
        Quanke({**config, "PLUGINS_STRICT": True})


def test_cli_names_the_plugin_and_the_problem(fake_dists, tmp_path):
    fake_dists.add("broken", WRONG_SIGNATURE)
    runner = CliRunner()
    strict = runner.invoke(main, ["plugins"], env=_env(tmp_path))
    assert strict.exit_code != 0 and "插件 broken: 钩子签名错误" in strict.output
    lenient = runner.invoke(main, ["plugins"], env=_env(tmp_path, QUANKE_PLUGINS_STRICT="false"))
    assert lenient.exit_code == 0, lenient.output
    assert "broken  9.9  [kit_broken_" in lenient.output and "停用：钩子签名错误" in lenient.output
    # --check always loads leniently, so a broken plugin never hides the others' problems
    check = runner.invoke(main, ["plugins", "--check"], env=_env(tmp_path))
    assert check.exit_code == 1
    assert "✗ broken  9.9" in check.output and "钩子签名错误" in check.output


@pytest.mark.parametrize("source", [BARE_SERVICE, ONE_DEPARTMENT_PAIR], ids=["service", "department"])
def test_a_wrong_answer_shape_names_the_plugin_in_every_command(fake_dists, tmp_path, source):
    """It used to be a TypeError/ValueError traceback from the host, naming nobody."""
    fake_dists.add("broken", source)
    runner = CliRunner()
    strict = runner.invoke(main, ["db", "upgrade"], env=_env(tmp_path))
    assert strict.exit_code != 0 and "插件 broken: register_" in strict.output, strict.output
    assert not isinstance(strict.exception, (TypeError, ValueError))
    lenient = _env(tmp_path, QUANKE_PLUGINS_STRICT="false")
    assert runner.invoke(main, ["db", "upgrade"], env=lenient).exit_code == 0
    listing = runner.invoke(main, ["plugins"], env=lenient)
    assert listing.exit_code == 0 and "停用：register_" in listing.output


def test_every_built_in_answer_has_the_right_shape():
    host = PluginHost(strict=True)  # built-in plugins and the installed example, nothing disabled
    assert all(info.enabled for info in host.plugins()), [i.error for i in host.plugins()]


def _certificate(fields_source):
    return good(code="kit.cert", extra=f""",
                     certificate=__import__("core.papers.documents", fromlist=["x"]).CertificateTemplate(
                         "测试证", lambda ctx: {fields_source})""")


@pytest.mark.parametrize("rows, problem", [
    # shown with .get → a blank line on every certificate
    ('[("居住地址", ctx.form_data.get("address", ""))]', "address"),
    # read with [] → a crash at issuance
    ('[("用途", ctx.form_data["purpose"]), ("居住地址", ctx.form_data["address"])]', "address"),
    # a value that changes what is shown
    ('[("加急", "是" if ctx.form_data.get("urgent") else "否")]', "urgent"),
    # a fallback for a value supplied in ctx.extra (by the plugin's own hook) is fine
    ('[("居住地址", ctx.extra.get("address") or ctx.form_data.get("address", ""))]', None),
    ('[("名称", (ctx.extra.get("business") or {}).get("name") or ctx.form_data.get("business_name"))]', None),
    # a form key read but not shown is fine
    ('[("用途", ctx.form_data.get("purpose")), ("备注", "" if ctx.form_data.get("note") is None else "")]', None),
])
def test_certificate_reading_a_field_the_form_lacks_is_reported(fake_dists, rows, problem):
    package = fake_dists.add("cert_gap", _certificate(rows))
    service = importlib.import_module(f"{package}.plugin").SERVICE
    problems = certificate_fields.certificate_field_problems(service)
    expected = [f"事项 kit.cert 的证照使用了表单中没有的字段：{problem}"] if problem else []
    assert problems == expected
    # fast enough for start-up: a CertificateTemplate is asked for its rows, nothing rendered
    assert certificate_fields.certificate_field_problems(service, render=False) == expected
    assert health.declaration_problems([service], {"kit_dept"}) == expected


def test_every_installed_certificate_uses_only_its_form():
    host = PluginHost(strict=False)  # built-in plugins and the installed example
    problems = {code: certificate_fields.certificate_field_problems(s) for code, s in host.services.items()}
    assert not any(problems.values()), problems


def test_certificate_field_gap_in_the_health_report(fake_dists, tmp_path, sqlite_template):
    fake_dists.add("cert_gap", CERTIFICATE_WITHOUT_FORM_FIELD)
    shutil.copy(sqlite_template, tmp_path / "h.db")
    quanke = Quanke({"DATABASE_URL": f"sqlite:///{tmp_path}/h.db", "INSTANCE_PATH": str(tmp_path),
                     "PLUGINS_STRICT": False}, plugins=_host(strict=False))
    try:
        report = plugin_check.check(quanke)
    finally:
        quanke.close()
    assert report.problems()["cert_gap"] == ["事项 kit.cert 的证照使用了表单中没有的字段：address"]


def test_certificate_field_gap_stops_start_up(fake_dists):
    fake_dists.add("cert_gap", CERTIFICATE_WITHOUT_FORM_FIELD)
    host = _host(strict=False)
    assert not host.infos["cert_gap"].enabled and "address" in host.infos["cert_gap"].error
    with pytest.raises(PluginError, match="cert_gap"):
        _host(strict=True)
