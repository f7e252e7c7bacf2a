"""Readiness (/readyz), the production start-up refusal and the 503 on a lost database."""
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from core.ops import readiness as ops
from core.ops.cli import main
from core.platform.config import DEV_SECRET
from core.platform.errors import QuankeError
from core.papers.seal import SealMissing
from core.testing import REDIS_TEST_URL, runtime

STRONG_SECRET = "x" * 48


def test_readyz_is_200_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert "redis" not in body["checks"]                       # jobs inline: Redis not needed


def test_healthz_stays(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_is_503_when_migrations_are_not_current(tmp_path):
    from web import create_app
    quanke = runtime(f"sqlite:///{tmp_path}/empty.db", tmp_path, METRICS_TOKEN="t0ken")   # never migrated
    try:
        response = create_app(quanke=quanke).test_client().get("/readyz", headers={"Authorization": "Bearer t0ken"})
        assert response.status_code == 503
        checks = response.get_json()["checks"]
        assert checks["database"]["ok"] and not checks["migrations"]["ok"]
        assert "quanke db upgrade" in checks["migrations"]["message"]
    finally:
        quanke.close()


def test_readyz_is_503_when_redis_is_configured_but_unreachable(quanke):
    from web import create_app
    quanke.config["REDIS_URL"] = "redis://127.0.0.1:1/0"          # nothing listens on port 1
    response = create_app(quanke=quanke).test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] and not checks["redis"]["ok"]


@pytest.mark.redis
def test_readyz_checks_redis_when_configured(quanke):
    from web import create_app
    quanke.config["REDIS_URL"] = REDIS_TEST_URL
    response = create_app(quanke=quanke).test_client().get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["redis"]["ok"]


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    from web import create_app
    quanke = runtime("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path)
    try:
        response = create_app(quanke=quanke).test_client().get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable" and not body["checks"]["database"]["ok"]
    finally:
        quanke.close()


def test_a_lost_database_is_a_clean_503_not_a_500(quanke):
    from web import create_app
    app = create_app(quanke=quanke)

    @app.get("/_boom")
    def _boom():
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    client = app.test_client()
    page = client.get("/_boom")
    assert page.status_code == 503 and "数据库" in page.get_data(as_text=True)
    assert page.headers["Retry-After"]
    api = client.get("/_boom", headers={"Accept": "application/json"})
    assert api.status_code == 503 and api.get_json()["error"] == "service_unavailable"


# -- production start-up -------------------------------------------------------------------------

def _prod(tmp_path, **config):
    base = {"ENV": "production", "SECRET_KEY": STRONG_SECRET, "SEAL_DIR": str(tmp_path / "seals"),
            "METRICS_TOKEN": "metrics-" + "x" * 24, "SMS_SENDER": "gateway.sms:Sender",
            "NOTIFICATION_SENDER": "gateway"}
    base.update(config)
    return runtime(f"sqlite:///{tmp_path}/p.db", tmp_path, **base)


def test_production_refuses_the_development_secret(tmp_path):
    quanke = _prod(tmp_path, SECRET_KEY=DEV_SECRET)
    with pytest.raises(QuankeError) as info:
        ops.check_production(quanke)
    assert info.value.code == "dev_secret_key" and "SECRET_KEY" in info.value.message
    quanke.close()


def test_production_refuses_a_short_secret(tmp_path):
    quanke = _prod(tmp_path, SECRET_KEY="short")
    with pytest.raises(QuankeError, match="太短"):
        ops.check_production(quanke)
    quanke.close()


def test_production_refuses_missing_seal_certificates(tmp_path):
    quanke = _prod(tmp_path)
    with pytest.raises(SealMissing) as info:
        ops.check_production(quanke)
    assert "电子印章证书" in info.value.message and "sample_dept" in info.value.message
    quanke.close()


def test_production_accepts_a_real_secret_and_seals(tmp_path):
    # seals made the way development does (dev CA), then checked as production would
    from core.papers.issuance import check_seals
    dev = runtime(f"sqlite:///{tmp_path}/p.db", tmp_path, SEAL_DIR=str(tmp_path / "seals"))
    check_seals(dev)
    dev.close()
    quanke = _prod(tmp_path)
    seals = ops.check_production(quanke)
    assert "sample_dept" in seals and seals["sample_dept"].is_file()
    quanke.close()


def _serve(tmp_path, **env):
    full = {**os.environ, "QUANKE_INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "QUANKE_SEAL_DIR": str(tmp_path / "seals"),
            **env}
    full.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "core.ops.cli", "serve", "--production",
                           "--port", "1"], env=full, capture_output=True, text=True, timeout=120)


def test_serve_production_refuses_to_start_with_the_development_secret(tmp_path):
    done = _serve(tmp_path, QUANKE_SECRET_KEY=DEV_SECRET)
    assert done.returncode != 0
    assert "拒绝以生产模式启动" in done.stderr and "SECRET_KEY" in done.stderr
    assert "已启动" not in done.stdout


def test_serve_production_refuses_to_start_without_seals(tmp_path):
    done = _serve(tmp_path, QUANKE_SECRET_KEY=STRONG_SECRET)
    assert done.returncode != 0
    assert "拒绝以生产模式启动" in done.stderr and "电子印章证书" in done.stderr
    assert not (tmp_path / "seals").exists() or not any((tmp_path / "seals").glob("*.p12"))


def test_serve_without_production_flag_has_the_option_documented():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert "--production" in result.output
