"""deploy/gunicorn.conf.py: N workers serve /readyz and merged /metrics; production start-up
with the development secret is refused before any worker starts."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")
pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn not installed")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path, db, **extra):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "QUANKE_INSTANCE_PATH": str(tmp_path),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), **extra}
    env.pop("REDIS_URL", None)
    return env


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_gunicorn_with_two_workers_serves_readyz_and_merged_metrics(sqlite_template, tmp_path):
    db = tmp_path / "g.db"
    shutil.copy(sqlite_template, db)
    port = _free_port()
    env = _env(tmp_path, db, QUANKE_BIND=f"127.0.0.1:{port}", QUANKE_WEB_WORKERS="2")
    proc = subprocess.Popen([str(GUNICORN), "-c", str(CONF), "web:create_app()"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/readyz")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, body
        for _ in range(20):
            assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        status, text = _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        line = next(l for l in text.splitlines()
                    if l.startswith("quanke_http_request_duration_seconds_count")
                    and 'endpoint="healthz"' in l)
        assert float(line.rsplit(" ", 1)[1]) == 20                  # every worker's requests
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "/healthz" in out and "?" not in "".join(l for l in out.splitlines() if '"path"' in l)


def test_gunicorn_refuses_production_with_the_development_secret(tmp_path):
    env = _env(tmp_path, tmp_path / "x.db", QUANKE_ENV="production",
               QUANKE_BIND=f"127.0.0.1:{_free_port()}", QUANKE_WEB_WORKERS="1")
    env.pop("QUANKE_SECRET_KEY", None)
    done = subprocess.run([str(GUNICORN), "-c", str(CONF), "web:create_app()"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "拒绝以生产模式启动" in done.stdout + done.stderr
