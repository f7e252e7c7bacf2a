"""The ``display_names`` hook (issue 21, words a user should never see): a plugin labels its own
codes and the pages show the labels — the audit log names the operation, the object and the
person, and sums up the details in words; a wrongly shaped answer disables the plugin."""
import html as markup
import re
import shutil
import types

import pytest

from core import hookimpl
from core.contract.host import PluginHost
from core.platform import audit
from core.platform.errors import PluginError
from core.testing import Browser, runtime, seed_world, sign_in

LABELS = {"audit_operation": {"kitlabel.certificate_printed": "打印居住证明"},
          "object_type": {"kitlabel_certificate": "居住证明"},
          "data_key": {"copies": "份数", "printer": "打印机"},
          "status": {"front_desk": "前台打印机"}}


def _plugin(answer):
    plugin = types.ModuleType("kitlabel")
    plugin.display_names = hookimpl(lambda: answer)
    return plugin


@pytest.fixture
def audit_page(sqlite_template, tmp_path):
    made = []

    def make(answer):
        shutil.copy(sqlite_template, tmp_path / f"l{len(made)}.db")
        quanke = runtime(f"sqlite:///{tmp_path}/l{len(made)}.db", tmp_path, extra_plugins=[_plugin(answer)])
        made.append(quanke)
        world = seed_world(quanke)
        with quanke.db.session() as s:
            audit.record(s, actor=f"user:{world.counter.id}", action="kitlabel.certificate_printed",
                         object_type="kitlabel_certificate", object_id=7,
                         data={"copies": 2, "printer": "front_desk", "burst_sha256": "ab" * 32})
            s.commit()
        app = quanke.web_app()
        app.config.update(TESTING=True)
        client = app.test_client()
        sign_in(client, world.auditor)
        page = Browser(client).text("/admin/audit?action=kitlabel.certificate_printed")
        text = markup.unescape(re.sub(r"<[^>]+>", " ", page))
        return world, " ".join(text.split())
    yield make
    for quanke in made:
        quanke.close()


def test_the_audit_log_reads_as_words_with_the_plugins_labels(audit_page):
    world, text = audit_page(LABELS)
    assert "打印居住证明" in text and "居住证明 7" in text
    assert "份数：2" in text and "打印机：前台打印机" in text
    assert world.counter.name in text
    assert "另有 1 项技术记录" in text                     # the hash is counted, not shown
    for raw in ("kitlabel.certificate_printed", "kitlabel_certificate", "front_desk", "user:",
                "burst_sha256", "{"):
        assert raw not in text


def test_without_labels_the_codes_show_so_the_visible_words_test_can_catch_them(audit_page):
    _world, text = audit_page(None)
    assert "kitlabel.certificate_printed" in text and "kitlabel_certificate" in text


@pytest.mark.parametrize("answer, says", [
    ("打印居住证明", "字典"),
    ({"operation": {"x": "y"}}, "'operation' 未知"),
    ({"status": {"printed": ""}}, "非空名称"),
    ({"status": ["printed"]}, "{编码: 名称}"),
])
def test_a_wrongly_shaped_answer_disables_the_plugin_naming_the_problem(answer, says):
    host = PluginHost(default_plugins=(), strict=False, load_entry_points=False,
                      extra_plugins=[_plugin(answer)])
    info = next(i for i in host.plugins() if i.name == "kitlabel")
    assert not info.enabled and "display_names" in info.error and says in info.error
    assert host.labels["status"] == {}
    with pytest.raises(PluginError, match="kitlabel"):
        PluginHost(default_plugins=(), strict=True, load_entry_points=False, extra_plugins=[_plugin(answer)])


def test_the_first_plugin_to_label_a_code_keeps_it():
    first, second = _plugin({"status": {"printed": "已打印"}}), _plugin({"status": {"printed": "印好了"}})
    second.__name__ = "kitlabel2"
    host = PluginHost(default_plugins=(), strict=True, load_entry_points=False, extra_plugins=[first, second])
    assert host.labels["status"]["printed"] == "已打印"
