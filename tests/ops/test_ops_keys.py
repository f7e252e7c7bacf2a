"""`quanke keys generate|check`, /readyz and the production start refusing a missing or wrong key
(issue 18): a deployment never serves with keys that are not its database's."""
from __future__ import annotations

import json
import os

from click.testing import CliRunner

from core.ops import readiness as ops
from core.ops.cli import main
from core.platform.crypto.keys import new_key_document, write_key_file
from core.testing import runtime


def _env(tmp_path, **extra):
    # QUANKE_DATA_KEYS (the test run's keys) removed: these commands read the key file.
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/k.db", "QUANKE_INSTANCE_PATH": str(tmp_path),
            "QUANKE_DATA_KEYS": None, **extra}


def _run(tmp_path, *args, **env):
    return CliRunner().invoke(main, list(args), env=_env(tmp_path, **env))


def test_upgrade_makes_a_development_key_and_check_passes(tmp_path):
    assert _run(tmp_path, "db", "upgrade").exit_code == 0
    key_file = tmp_path / "keys" / "data-keys.json"
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    result = _run(tmp_path, "keys", "check")
    assert result.exit_code == 0, result.output + result.stderr
    assert "✓ 密钥正确" in result.output and "SM4-GCM" in result.output


def test_check_fails_clearly_when_the_key_file_is_gone_and_never_makes_a_new_one(tmp_path):
    _run(tmp_path, "db", "upgrade")
    (tmp_path / "keys" / "data-keys.json").unlink()
    result = _run(tmp_path, "keys", "check")
    assert result.exit_code == 1 and "不存在" in result.stderr
    assert not (tmp_path / "keys" / "data-keys.json").exists()


def test_check_fails_when_the_key_is_not_the_one_that_wrote_the_database(tmp_path):
    _run(tmp_path, "db", "upgrade")
    other = tmp_path / "other.json"
    write_key_file(other, new_key_document())
    result = _run(tmp_path, "keys", "check", QUANKE_KEY_FILE=str(other))
    assert result.exit_code == 1
    assert "密钥版本 1 与数据库登记的不一致" in result.stderr and "盲索引密钥" in result.stderr


def test_check_fails_on_a_key_file_others_can_read(tmp_path):
    _run(tmp_path, "db", "upgrade")
    os.chmod(tmp_path / "keys" / "data-keys.json", 0o640)
    result = _run(tmp_path, "keys", "check")
    assert result.exit_code == 1 and "chmod 600" in result.stderr


def test_generate_writes_a_new_file_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "prod.json"
    made = _run(tmp_path, "keys", "generate", "--file", str(target), "--algorithm", "AES-256-GCM")
    assert made.exit_code == 0 and (target.stat().st_mode & 0o777) == 0o600
    assert json.loads(target.read_text())["data_keys"]["1"]["algorithm"] == "AES-256-GCM"
    before = target.read_bytes()
    again = _run(tmp_path, "keys", "generate", "--file", str(target))
    assert again.exit_code != 0 and "不会覆盖" in again.stderr and target.read_bytes() == before


def test_readyz_is_503_with_another_deployments_key(tmp_path, sqlite_template):
    import shutil

    from web import create_app
    shutil.copy(sqlite_template, tmp_path / "r.db")
    wrong = tmp_path / "wrong.json"
    write_key_file(wrong, new_key_document())
    quanke = runtime(f"sqlite:///{tmp_path}/r.db", tmp_path, KEY_FILE=str(wrong), METRICS_TOKEN="t0ken")
    try:
        response = create_app(quanke=quanke).test_client().get(
            "/readyz", headers={"Authorization": "Bearer t0ken"})
        assert response.status_code == 503
        keys = response.get_json()["checks"]["keys"]
        assert not keys["ok"] and "不一致" in keys["message"]
    finally:
        quanke.close()


def test_readyz_reports_the_keys_as_ready_on_the_test_runtime(client):
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["checks"]["keys"]["ok"]


def test_production_refuses_to_start_without_a_key(tmp_path):
    from core.papers.issuance import check_seals
    from core.platform.crypto import KeyConfigError
    dev = runtime(f"sqlite:///{tmp_path}/p.db", tmp_path, SEAL_DIR=str(tmp_path / "seals"))
    check_seals(dev)                                  # seals as development makes them
    dev.close()
    quanke = runtime(f"sqlite:///{tmp_path}/p.db", tmp_path, ENV="production", SECRET_KEY="s" * 48,
                     SEAL_DIR=str(tmp_path / "seals"), METRICS_TOKEN="m" * 32,
                     SMS_SENDER="gateway.sms:Sender", NOTIFICATION_SENDER="gateway",
                     KEY_FILE=str(tmp_path / "missing.json"))
    try:
        try:
            ops.check_production(quanke)
        except KeyConfigError as exc:
            assert exc.code == "key_missing" and "missing.json" in exc.message
        else:
            raise AssertionError("production must not start without its data keys")
        assert not (tmp_path / "missing.json").exists()
    finally:
        quanke.close()
