"""Fixtures of the plugin developer kit tests: the example plugin as an installed distribution,
fake installed distributions (entry points) for broken plugins, a temporary virtualenv."""
from __future__ import annotations

import fcntl
import importlib
import importlib.metadata as md
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "quanke_residence"
EXAMPLE_DIST = "quanke-residence"


def pip_install_editable(python: str, project: Path) -> subprocess.CompletedProcess:
    """``pip install -e`` without touching the network: no dependencies (quanke is already
    there) and no build isolation (setuptools of the running environment builds it)."""
    return subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "-e", str(project)],
        capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def pip_install():
    """:func:`pip_install_editable`, for tests (conftest modules cannot be imported)."""
    return pip_install_editable


@pytest.fixture(scope="session")
def residence_installed() -> md.Distribution:
    """``examples/quanke_residence`` installed as its own distribution (``quanke-residence``).

    ``scripts/install.sh --test`` installs it; on a machine where that did not happen the
    first test needing it installs it here (once, under a lock, as xdist runs two workers).
    """
    try:
        return md.distribution(EXAMPLE_DIST)
    except md.PackageNotFoundError:
        pass
    lock = Path(tempfile.gettempdir()) / "quanke-residence-install.lock"
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            md.distribution(EXAMPLE_DIST)
        except md.PackageNotFoundError:
            done = pip_install_editable(sys.executable, EXAMPLE)
            assert done.returncode == 0, done.stderr
    # The editable install's path hook only works in new processes; this one imports from source.
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    importlib.invalidate_caches()
    return md.distribution(EXAMPLE_DIST)


class FakeDistributions:
    """Installed distributions made on the fly: a folder on ``sys.path`` holding the plugin's
    module and a ``*.dist-info`` with its ``quanke.plugins`` entry point, exactly what pip
    leaves behind, so :class:`core.contract.host.PluginHost` finds them like any third-party plugin.
    """

    def __init__(self, root: Path, monkeypatch):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        monkeypatch.syspath_prepend(str(root))
        self._monkeypatch = monkeypatch

    def add(self, plugin: str, source: str, *, files: dict[str, str] | None = None) -> str:
        """Install plugin ``plugin`` whose ``plugin.py`` is ``source``; returns its package."""
        package = f"kit_{plugin}_{uuid.uuid4().hex[:6]}"
        folder = self.root / package
        folder.mkdir()
        (folder / "__init__.py").write_text('__version__ = "9.9"\n', encoding="utf-8")
        (folder / "plugin.py").write_text(textwrap.dedent(source), encoding="utf-8")
        for name, text in (files or {}).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        dist = self.root / f"{package}-9.9.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 9.9\n",
                                       encoding="utf-8")
        (dist / "entry_points.txt").write_text(
            f"[quanke.plugins]\n{plugin} = {package}.plugin\n", encoding="utf-8")
        importlib.invalidate_caches()
        return package


@pytest.fixture
def fake_dists(tmp_path, monkeypatch) -> FakeDistributions:
    return FakeDistributions(tmp_path / "site", monkeypatch)


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Argon2 at production cost is ~0.3 s a hash; the kit's world has 12 staff per test
    (the same speed-up as tests/web; core.testing could offer it to every plugin author)."""
    from argon2 import PasswordHasher

    from core.people import users
    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original
