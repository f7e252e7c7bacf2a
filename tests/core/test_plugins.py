"""The plugin host: loading, start-up validation naming the plugin, disabling, listing."""
import types

import pytest
from click.testing import CliRunner
from wtforms import Form, StringField

from core import hookimpl
from core.ops.cli import main
from core.platform.errors import PluginError
from core.contract.host import DEFAULT_PLUGINS, PluginHost
from core.contract.services import MaterialSpec, ServiceDef
from core.testing import check_plugin


class F(Form):
    x = StringField("x")


def plugin(name, services=(), departments=(("d1", "部门一"),)):
    module = types.ModuleType(name)

    @hookimpl
    def register_departments():
        return list(departments)

    @hookimpl
    def register_services():
        return list(services)

    module.register_departments = register_departments
    module.register_services = register_services
    return module


def service(code="p.one", **kw):
    base = dict(code=code, name="事项", department="d1", form=F,
                materials=(MaterialSpec("m", "材料"),))
    base.update(kw)
    return ServiceDef(**base)


def host(*plugins, strict=True):
    return PluginHost(default_plugins=(), extra_plugins=plugins, load_entry_points=False,
                      strict=strict)


def test_builtin_plugins_load_with_one_service_each():
    h = PluginHost(load_entry_points=False)
    names = {i.name: i for i in h.plugins()}
    assert set(names) == {"business_license", "archive_query", "legal_aid", "timebank"}
    for info in names.values():
        assert info.origin == "built-in" and info.enabled and len(info.services) >= 1
    assert len(DEFAULT_PLUGINS) == 4


@pytest.mark.parametrize("bad, fragment", [
    (service(department="nowhere"), "审批部门 'nowhere' 未知"),
    (service(form=None), "缺少表单"),
    (service(materials=(MaterialSpec("m", ""),)), "缺少名称"),
    (service(materials=(MaterialSpec("m", "材料", accepted_types=frozenset({"text/html"})),)),
     "无法识别"),
    (service(code="Not A Code"), "事项编码"),
])
def test_invalid_declaration_stops_start_up_naming_the_plugin(bad, fragment):
    with pytest.raises(PluginError) as err:
        host(plugin("broken_plugin", [bad]))
    assert "broken_plugin" in err.value.message and fragment in err.value.message


def test_duplicate_service_code_names_both_plugins():
    with pytest.raises(PluginError) as err:
        host(plugin("first", [service()]), plugin("second", [service()]))
    assert "p.one 重复" in err.value.message
    assert "first" in err.value.message and "second" in err.value.message


def test_non_strict_mode_disables_only_the_bad_plugin():
    h = host(plugin("good", [service("good.one")]), plugin("bad", [service(form=None, code="bad.one")]),
             strict=False)
    info = {i.name: i for i in h.plugins()}
    assert info["good"].enabled and "good.one" in h.services
    assert not info["bad"].enabled and "缺少表单" in info["bad"].error and "bad.one" not in h.services


def test_wrong_hook_signature_is_reported():
    module = types.ModuleType("wrong_sig")

    @hookimpl
    def register_services(unexpected_argument):
        return []

    module.register_services = register_services
    with pytest.raises(PluginError) as err:
        host(module)
    assert "wrong_sig" in err.value.message and "钩子签名错误" in err.value.message


def test_a_plugin_can_be_disabled_by_configuration():
    everything = PluginHost(load_entry_points=False).services
    h = PluginHost(disabled=["legal_aid"], load_entry_points=False)
    info = {i.name: i for i in h.plugins()}
    assert not info["legal_aid"].enabled and info["legal_aid"].error == "已在配置中停用"
    assert set(h.services) == {c for c in everything if not c.startswith("legal_aid.")}


def test_a_missing_builtin_folder_means_fewer_services_not_a_crash():
    everything = PluginHost(load_entry_points=False).services
    h = PluginHost(default_plugins=DEFAULT_PLUGINS + ("plugins.not_there.plugin",),
                   load_entry_points=False)
    assert set(h.services) == set(everything)
    without = PluginHost(default_plugins=[p for p in DEFAULT_PLUGINS if "legal_aid" not in p],
                         load_entry_points=False)
    assert "legal_aid" not in {i.name for i in without.plugins()} and without.services


def test_quanke_plugins_lists_version_origin_services(quanke):
    result = CliRunner().invoke(main, ["plugins"], env={"DATABASE_URL": quanke.db.url,
                                                       "QUANKE_INSTANCE_PATH": quanke.config["INSTANCE_PATH"]})
    assert result.exit_code == 0, result.output
    assert "business_license  0.1.0  [built-in]  启用" in result.output
    assert "business_license.individual  个体工商户设立登记  （区市场监督管理局）" in result.output


@pytest.mark.parametrize("name", ["business_license", "archive_query", "legal_aid", "timebank"])
def test_builtin_plugins_pass_the_contract(quanke, name):
    check_plugin(name, quanke)


def test_contract_check_catches_a_form_that_rejects_its_own_example(quanke):
    svc = quanke.service("sample.permit")
    broken = ServiceDef(**{**svc.__dict__, "example": {"purpose": ""}})
    quanke.plugins.services["sample.permit"] = broken
    quanke.plugins.infos["sample"].services = ["sample.permit"]
    with pytest.raises(AssertionError) as err:
        check_plugin("sample", quanke)
    assert "example does not validate" in str(err.value)
