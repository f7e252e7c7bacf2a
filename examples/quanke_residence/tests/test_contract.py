"""The plugin contract (DESIGN §3), and that Quanke finds the plugin as an installed package."""
import importlib.metadata as md

from quanke_residence.plugin import PLUGIN, SERVICE

from core.api import PluginHost, check_plugin, check_plugin_health


def test_plugin_passes_the_contract(quanke):
    check_plugin(PLUGIN, quanke)


def test_found_through_its_entry_point_as_a_separate_distribution():
    host = PluginHost(strict=False)
    info = host.infos[PLUGIN]
    assert info.enabled, info.error
    assert info.origin == md.distribution("quanke-residence").metadata["Name"]
    assert info.module == "quanke_residence.plugin" and info.services == [SERVICE.code]


def test_health_check_finds_nothing_wrong(quanke):
    report = check_plugin_health(quanke)
    assert report.plugins[PLUGIN].ok, report.plugins[PLUGIN].problems
