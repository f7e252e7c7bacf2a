"""``quanke plugin new``: the generated package, and on every run the whole path a plugin
author takes — scaffold → ``pip install -e`` into a fresh virtualenv → the package's own
contract test and main-path test."""
import ast
import os
import subprocess
import sys
import sysconfig
import time
from configparser import ConfigParser

import pytest
from click.testing import CliRunner

from core.contract import scaffold
from core.ops.cli import main
from core.platform.errors import InvalidInput


def test_plugin_new_writes_a_complete_package(tmp_path):
    result = CliRunner().invoke(main, ["plugin", "new", "parking_permit", "--dir", str(tmp_path),
                                       "--department", "traffic_police",
                                       "--department-name", "区公安交警大队",
                                       "--service-name", "临时停车许可"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "quanke-parking-permit"
    assert f"已创建插件 parking_permit：{root}" in result.output
    assert f"pip install -e {root}" in result.output
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    assert files == {
        "setup.cfg", "pyproject.toml", "README.md",
        "quanke_parking_permit/__init__.py", "quanke_parking_permit/plugin.py",
        "quanke_parking_permit/forms.py", "quanke_parking_permit/checks.py",
        "quanke_parking_permit/documents.py", "quanke_parking_permit/models.py",
        "quanke_parking_permit/jobs.py", "quanke_parking_permit/services.py",
        "quanke_parking_permit/views.py", "quanke_parking_permit/api.py",
        "quanke_parking_permit/commands.py", "quanke_parking_permit/demo.py",
        "quanke_parking_permit/migrations/versions/parking_permit_0001_first.py",
        "quanke_parking_permit/templates/parking_permit/guide.html",
        "quanke_parking_permit/templates/parking_permit/records.html",
        "tests/conftest.py", "tests/test_contract.py", "tests/test_workflow.py"}
    for path in root.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), str(path))  # valid Python
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "$" not in text.replace("$$", ""), f"unfilled placeholder in {path}"
    cfg = ConfigParser()
    cfg.read(root / "setup.cfg", encoding="utf-8")
    assert cfg["metadata"]["name"] == "quanke-parking-permit"
    assert cfg["options.entry_points"]["quanke.plugins"].strip() == \
        "parking_permit = quanke_parking_permit.plugin"
    plugin = (root / "quanke_parking_permit" / "services.py").read_text(encoding="utf-8")  # the declaration
    assert 'DEPARTMENT = ("traffic_police", "区公安交警大队")' in plugin
    assert 'code="parking_permit.certificate"' in plugin and 'name="临时停车许可"' in plugin
    migration = (root / "quanke_parking_permit/migrations/versions/parking_permit_0001_first.py"
                 ).read_text(encoding="utf-8")
    assert "branch_labels = ('parking_permit',)" in migration and "depends_on = 'core_0001'" in migration
    assert "pytest_plugins = [\"core.testing\"]" in (root / "tests/conftest.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, fragment", [
    ("Parking", "不合法"), ("x", "不合法"), ("9lives", "不合法"), ("a-b", "不合法"),
    ("class", "不合法"), ("timebank", "已被占用"), ("core", "已被占用"),
])
def test_plugin_new_refuses_bad_names(tmp_path, name, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        scaffold.create(name, tmp_path)
    result = CliRunner().invoke(main, ["plugin", "new", name, "--dir", str(tmp_path)])
    assert result.exit_code != 0 and fragment in result.output
    assert not any(tmp_path.iterdir())


def test_plugin_new_refuses_a_folder_in_use_and_an_installed_package(tmp_path, residence_installed):
    scaffold.create("parking", tmp_path)
    with pytest.raises(InvalidInput, match="已存在且不为空"):
        scaffold.create("parking", tmp_path)
    with pytest.raises(InvalidInput, match="已安装了名为 quanke_residence 的包"):
        scaffold.create("residence", tmp_path)
    with pytest.raises(InvalidInput, match="部门编码"):
        scaffold.create("other", tmp_path, department="Bad Code")


QUICK_HASH = """
def pytest_configure(config):
    from argon2 import PasswordHasher
    from core.people import users
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""


def _fresh_venv(path):
    """A virtualenv that sees this environment's packages (quanke, pytest, setuptools...).

    ``--system-site-packages`` would expose the base interpreter's packages, not this venv's,
    so a ``.pth`` file adds this environment's site-packages instead (processed by ``site``).
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    with open(os.path.join(purelib, "_quanke_parent.pth"), "w", encoding="utf-8") as fh:
        fh.write(f"import site; site.addsitedir({parent!r})\n")
    return python


@pytest.mark.slow
def test_scaffold_install_and_its_own_tests_pass(tmp_path, pip_install):
    started = time.monotonic()
    made = scaffold.create("kit_demo", tmp_path / "src", department="kit_demo_office",
                           department_name="测试办事处", service_name="测试证明")
    python = _fresh_venv(tmp_path / "venv")
    installed = pip_install(str(python), made.root)
    assert installed.returncode == 0, installed.stderr
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "QUANKE_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    # test-run speed only: cheap password hashing for the kit's 12 staff (as in tests/web)
    speed = tmp_path / "speed"
    speed.mkdir()
    (speed / "kit_quick_hash.py").write_text(QUICK_HASH, encoding="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(speed), env.get("PYTHONPATH")]))
    run = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "kit_quick_hash",
         "-W", "error::DeprecationWarning",
         "tests/test_contract.py", "tests/test_workflow.py::test_main_path_through_counter_queue_and_portal"],
        cwd=made.root, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "4 passed" in run.stdout, run.stdout[-2000:]
    # the fresh venv found the package through its entry point; this process never imported it
    assert "quanke_kit_demo" not in sys.modules
    print(f"scaffold → install → tests: {time.monotonic() - started:.1f} s")
