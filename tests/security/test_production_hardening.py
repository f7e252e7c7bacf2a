"""Production start-up, /readyz, console senders and the password policy (issue 22 #6, #8;
issue 23 #7)."""
from __future__ import annotations

import logging

import pytest

from core.ops import readiness as ops
from core.people.passwords import MIN_LENGTH, problems
from core.platform.errors import QuankeError


def _prod(quanke, **config):
    quanke.config.update({"ENV": "production", "SECRET_KEY": "s" * 64, "METRICS_TOKEN": "m" * 32,
                          "SMS_SENDER": "gateway.sms:Sender", "NOTIFICATION_SENDER": "gateway"})
    quanke.config.update(config)
    return quanke


@pytest.fixture
def prod(quanke, monkeypatch):
    import core.papers.issuance as issuance
    monkeypatch.setattr(issuance, "check_seals", lambda q: {"sample_dept": "seal.p12"})
    monkeypatch.delenv("QUANKE_METRICS_TOKEN", raising=False)
    saved = dict(quanke.config)
    yield quanke
    quanke.config.clear()
    quanke.config.update(saved)


def test_production_refuses_no_metrics_token(prod):
    with pytest.raises(QuankeError) as info:
        ops.check_production(_prod(prod, METRICS_TOKEN=None))
    assert info.value.code == "metrics_token_missing" and "QUANKE_METRICS_TOKEN" in info.value.message


@pytest.mark.parametrize("key", ["SMS_SENDER", "NOTIFICATION_SENDER"])
@pytest.mark.parametrize("sender", ["console", "memory", None])
def test_production_refuses_console_senders(prod, key, sender):
    with pytest.raises(QuankeError) as info:
        ops.check_production(_prod(prod, **{key: sender}))
    assert info.value.code == "dev_sender_in_production" and key in info.value.message


def test_production_with_everything_set_starts(prod):
    assert ops.check_production(_prod(prod)) == {"sample_dept": "seal.p12"}


def test_readyz_details_only_with_the_metrics_token(web, world):
    q = world.quanke
    q.config["METRICS_TOKEN"] = "m" * 32
    try:
        client = web.test_client()
        anonymous = client.get("/readyz").get_json()
        assert anonymous["checks"]["database"] == {"ok": True}
        assert all(set(c) == {"ok"} for c in anonymous["checks"].values())
        full = client.get("/readyz", headers={"Authorization": "Bearer " + "m" * 32}).get_json()
        assert "ms" in full["checks"]["database"]
        assert client.get("/metrics").status_code == 401
    finally:
        q.config["METRICS_TOKEN"] = None


def test_console_sms_sender_masks_phone_and_code(caplog, capfd):
    from core.people.sms_login import ConsoleSmsSender
    with caplog.at_level(logging.INFO, logger="core.people.sms_login"):
        ConsoleSmsSender().send("13812345678", "【全科政务】验证码 482913，5分钟内有效")
    out = caplog.text + capfd.readouterr().err
    assert "138****5678" in out and "******" in out
    assert "13812345678" not in out and "482913" not in out


def test_console_notification_sender_masks_the_phone(caplog, capfd):
    from core.jobs.outbox import ConsoleSender
    from core.platform.models import OutboxMessage
    message = OutboxMessage(channel="sms", recipient_kind="applicant", recipient="13812345678",
                            subject="已受理", body="您的申请已受理")
    with caplog.at_level(logging.INFO, logger="core.jobs.outbox"):
        ConsoleSender().send(message)
    out = caplog.text + capfd.readouterr().err
    assert "138****5678" in out and "13812345678" not in out and "已受理" in out


@pytest.mark.parametrize("password", ["Passw0rd!!", "Aa1xxxxxxx", "P@ssw0rd2026", "Admin@12345",
                                      "Abcdefgh12", "Qq111111111"])
def test_password_policy_rejects_decorated_common_words_and_patterns(password):
    assert problems(password), password


@pytest.mark.parametrize("password", ["Quanke-Sessions-2026", "river-Blue-lamp7", "窗口受理Ab3x9k"])
def test_password_policy_accepts_real_passwords(password):
    assert problems(password) == []


def test_forms_say_the_same_minimum_as_the_rule(web):
    from web.forms import PasswordChangeForm, UserForm
    with web.test_request_context("/"):
        for form_class, field in ((PasswordChangeForm, "new_password"), (UserForm, "password")):
            form = form_class(meta={"csrf": False}, data={field: "x" * (MIN_LENGTH - 1)})
            length = [v for v in getattr(form, field).validators if type(v).__name__ == "Length"][0]
            assert length.min == MIN_LENGTH and str(MIN_LENGTH) in str(length.message)
