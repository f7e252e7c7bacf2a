"""Rate limits on the endpoints one could use to guess or flood: 429 with Retry-After, a page
in the user's language or JSON, counted in Redis (shared by every worker) when configured."""
from __future__ import annotations

import uuid

import pytest
from flask import Blueprint

from core.testing import REDIS_TEST_URL
from web import create_app
from web.limits import KINDS, rate_limited

from webtools import Browser


def _app(quanke, **config):
    quanke.config.update(config)
    app = create_app(quanke=quanke)
    app.config.update(TESTING=True)
    return app


def test_staff_login_is_limited_per_address_with_a_clear_page(quanke, world):
    app = _app(quanke, RATE_LIMIT_LOGIN="3 per minute")
    b = Browser(app.test_client())
    assert b.get("/login").status_code == 200
    statuses = [b.post("/login", {"username": "t_counter", "password": "wrong-pass-1"}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = b.post("/login", {"username": "t_counter", "password": "wrong-pass-1"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    page = refused.get_data(as_text=True)
    assert "请求过于频繁" in page and "秒后再试" in page
    assert b.get("/login").status_code == 200              # reading the page is not limited
    b.get("/lang/en")
    english = b.post("/login", {"username": "t_counter", "password": "x"}).get_data(as_text=True)
    assert "Too many requests" in english
    other = Browser(app.test_client())                      # another address is not affected
    r = other.client.post("/login", data={"username": "x", "password": "y"},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code != 429


def test_public_verify_lookup_answers_json_429(quanke, world):
    app = _app(quanke, RATE_LIMIT_VERIFY="2 per minute")
    client = app.test_client()
    for _ in range(2):
        assert client.get("/verify/ABCDEFGH12345678.json").status_code == 404
    refused = client.get("/verify/ABCDEFGH12345678.json")
    assert refused.status_code == 429 and refused.is_json
    body = refused.get_json()
    assert body["error"] == "too_many_requests" and body["retry_after"] >= 1
    assert refused.headers["Retry-After"] == str(body["retry_after"])


def test_kiosk_tickets_and_sms_are_limited(quanke, world):
    app = _app(quanke, RATE_LIMIT_KIOSK="2 per minute", RATE_LIMIT_SMS="1 per minute",
               SMS_SENDER="memory")
    b = Browser(app.test_client())
    assert [b.post("/queue/T01", {}).status_code for _ in range(3)] == [200, 200, 429]
    assert b.post("/portal/login", {"step": "send", "p-phone": "13900000007"}).status_code == 200
    assert b.post("/portal/login", {"step": "send", "p-phone": "13900000006"}).status_code == 429


def test_a_view_marks_itself_with_one_line(quanke, world):
    """How the identity pages (face photo uploads) opt in: ``@rate_limited("face")``."""
    bp = Blueprint("face_probe", __name__)

    @bp.post("/probe/face")
    @rate_limited("face")
    def upload():
        return "ok"

    quanke.config["RATE_LIMIT_FACE"] = "2 per minute"
    from web import create_app as make
    original = quanke.plugins.collect

    def collect(name, *a, **k):
        found = original(name, *a, **k)
        return [*found, bp] if name == "register_blueprints" else found
    quanke.plugins.collect = collect
    try:
        browser = Browser(make(quanke=quanke).test_client())
    finally:
        quanke.plugins.collect = original
    assert [browser.post("/probe/face").status_code for _ in range(3)] == [200, 200, 429]
    with pytest.raises(ValueError):
        rate_limited("nonsense")
    assert set(KINDS) >= {"login", "sms", "face", "kiosk", "verify"}


@pytest.mark.redis
def test_counts_are_shared_through_redis_by_every_worker(quanke, world):
    """Two apps (two gunicorn workers) on one Redis share the count; a prefix per run."""
    from redis import Redis
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    redis = Redis.from_url(REDIS_TEST_URL)
    try:
        redis.ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Redis at " + REDIS_TEST_URL)
    try:
        first = _app(quanke, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix, RATE_LIMIT_LOGIN="3 per minute")
        second = _app(quanke, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix, RATE_LIMIT_LOGIN="3 per minute")
        a, b = Browser(first.test_client()), Browser(second.test_client())
        statuses = [a.post("/login", {"username": "x", "password": "wrong-pass-1"}).status_code,
                    b.post("/login", {"username": "x", "password": "wrong-pass-1"}).status_code,
                    a.post("/login", {"username": "x", "password": "wrong-pass-1"}).status_code,
                    b.post("/login", {"username": "x", "password": "wrong-pass-1"}).status_code]
        assert statuses == [200, 200, 200, 429]
        assert redis.keys(f"*{prefix}-limits*")               # really counted in Redis
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        quanke.config["REDIS_URL"] = None


def test_sign_in_still_works_when_the_limit_store_is_down(quanke, world):
    """Redis unreachable: counting falls back to memory; nobody sees a 500."""
    app = _app(quanke, REDIS_URL="redis://127.0.0.1:1/0", RATE_LIMIT_LOGIN="3 per minute")
    quanke.config["REDIS_URL"] = None          # jobs inline; only the limiter points at port 1
    b = Browser(app.test_client())
    r = b.post("/login", {"username": "t_counter", "password": "test-pass-123"})
    assert r.status_code == 302
    assert Browser(app.test_client()).get("/verify/").status_code == 200
