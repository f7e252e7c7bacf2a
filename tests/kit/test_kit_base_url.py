"""BASE_URL, the address on every document's QR code and verification link (issue 20 §3):
without one configured it is the address the server listens on, so ``PORT=8123 run.sh`` prints
links that open; ``quanke plugins --check`` warns when production runs on such a default."""
import flask
import pytest
from click.testing import CliRunner

from core.ops.cli import main
from core.papers.issuance import verification_url
from core.platform.config import load_config


@pytest.fixture
def env(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/b.db", "QUANKE_INSTANCE_PATH": str(tmp_path),
           "HOST": "", "PORT": "", "QUANKE_BIND": "", "QUANKE_BASE_URL": "", "QUANKE_ENV": ""}
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    return env


def _served(monkeypatch, env, args) -> tuple[str, str, str]:
    """Run ``quanke serve`` without serving: the app's BASE_URL, a verification link, the output."""
    seen = {}

    def run(app, **kwargs):
        quanke = app.extensions["quanke"]
        seen["base"] = quanke.config["BASE_URL"]
        seen["link"] = verification_url(quanke, "ABCDEFGH23456789")
    monkeypatch.setattr(flask.Flask, "run", run)
    result = CliRunner().invoke(main, ["serve", *args], env=env)
    assert result.exit_code == 0, result.output
    return seen["base"], seen["link"], result.output


def test_links_point_at_the_port_served_on(env, monkeypatch):
    base, link, output = _served(monkeypatch, env, ["--port", "8123"])
    assert base == "http://127.0.0.1:8123"
    assert link == "http://127.0.0.1:8123/verify/ABCDEFGH23456789"
    assert "证照二维码与链接: http://127.0.0.1:8123（未配置 BASE_URL，按服务地址推导）" in output
    # what scripts/run.sh does: HOST and PORT in the environment, for serve and every command
    base, _, _ = _served(monkeypatch, {**env, "HOST": "192.168.1.20", "PORT": "8124"}, [])
    assert base == "http://192.168.1.20:8124"
    # a configured address always wins
    base, link, output = _served(monkeypatch, {**env, "QUANKE_BASE_URL": "https://qk.example.gov.cn/"},
                                 ["--port", "8123"])
    assert link == "https://qk.example.gov.cn/verify/ABCDEFGH23456789"
    assert "按服务地址推导" not in output


def test_default_follows_run_sh_and_gunicorn_addresses(tmp_path):
    def base(**environ):
        return load_config({"INSTANCE_PATH": str(tmp_path)}, environ=environ)
    assert base()["BASE_URL"] == "http://127.0.0.1:5000" and base()["BASE_URL_DERIVED"] is True
    assert base(PORT="8080")["BASE_URL"] == "http://127.0.0.1:8080"     # demo-data under run.sh
    assert base(HOST="0.0.0.0", PORT="8080")["BASE_URL"] == "http://127.0.0.1:8080"  # no name
    assert base(QUANKE_BIND="10.0.0.5:8000")["BASE_URL"] == "http://10.0.0.5:8000"  # gunicorn
    assert base(QUANKE_BIND="[::1]:8000")["BASE_URL"] == "http://[::1]:8000"
    configured = base(QUANKE_BASE_URL="https://qk.example.gov.cn", PORT="8080")
    assert configured["BASE_URL"] == "https://qk.example.gov.cn" and configured["BASE_URL_DERIVED"] is False


def _check_notes(env) -> list[str]:
    result = CliRunner().invoke(main, ["plugins", "--check"], env=env)
    return [line.strip() for line in result.output.splitlines() if "BASE_URL" in line]


def test_check_warns_when_production_runs_on_the_default(env):
    production = {**env, "QUANKE_ENV": "production"}
    [note] = _check_notes(production)
    assert note.startswith("· 生产环境没有配置 BASE_URL：证照和文书上的二维码、核验链接使用的是按服务地址推导出的 "
                           "http://127.0.0.1:5000")
    assert "QUANKE_BASE_URL" in note
    [note] = _check_notes({**production, "QUANKE_BASE_URL": "http://localhost:8000"})
    assert note.startswith("· BASE_URL http://localhost:8000 指向本机")
    assert _check_notes({**production, "QUANKE_BASE_URL": "https://qk.example.gov.cn"}) == []
    assert _check_notes(env) == []   # development: the derived address is what one wants
