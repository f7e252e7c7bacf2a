"""The wings and the arrows between them: import-linter contracts (setup.cfg), the picture in
docs/architecture.md, and the public plugin API (core.api) with its documentation."""
from __future__ import annotations

import configparser
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    return parser


def test_import_contracts_are_kept():
    """A wing importing upwards, a cycle, the core importing web or a plugin, a plugin importing
    another or a core internal: each breaks a contract and fails here."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "setup.cfg")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails(tmp_path):
    """The linter really reads the contracts: a layer order turned upside down is reported."""
    config = _config()
    section = "importlinter:contract:wings"
    layers = [line for line in config[section]["layers"].splitlines() if line.strip()]
    config[section]["layers"] = "\n" + "\n".join(reversed(layers))
    for name in list(config.sections()):
        if name.startswith("importlinter:contract:") and name != section:
            config.remove_section(name)
    upside_down = tmp_path / "setup.cfg"
    with upside_down.open("w", encoding="utf-8") as f:
        config.write(f)
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(upside_down)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_architecture_page_draws_the_contract_layers():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.search(r"```layers\n(.*?)```", page, re.S).group(1).split()
    declared = _config()["importlinter:contract:wings"]["layers"].split()
    assert drawn == declared
    for wing in {w for w in declared if w not in ("|",)}:
        assert f"`{wing}`" in page, f"{wing} is not described in docs/architecture.md"


def test_every_wing_is_in_the_layers():
    declared = set(_config()["importlinter:contract:wings"]["layers"].split()) - {"|"}
    packages = {f"core.{p.name}" for p in (ROOT / "core").iterdir()
                if (p / "__init__.py").exists()}
    modules = {f"core.{p.stem}" for p in (ROOT / "core").glob("*.py") if p.stem != "__init__"}
    assert packages | modules <= declared | {"core.migrations"}


def test_public_api_is_documented_name_by_name():
    import core.api
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    missing = [name for name in core.api.__all__ if f"`{name}`" not in guide]
    assert not missing, f"docs/plugins.md does not list: {missing}"
    for name in core.api.__all__:
        assert getattr(core.api, name) is not None


@pytest.mark.parametrize("old, name, new", [
    ("core.workflow", "accept", "accept"),
    ("core.workflow", "file_application", "file_application"),
    ("core.services", "ServiceDef", "ServiceDef"),
    ("core.clock", "today", "today"),
    ("core.db", "Base", "Base"),
    ("core.documents", "CertificateTemplate", "CertificateTemplate"),
    ("core.plugin_health", "check", "check_plugin_health"),
])
def test_old_import_paths_still_work_and_warn(old, name, new):
    import importlib

    import core.api
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=re.escape(f"from core.api import {new}")):
        value = getattr(module, name)
    assert value is getattr(core.api, new)


def test_the_public_api_itself_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        import importlib

        import core.api
        importlib.reload(core.api)
