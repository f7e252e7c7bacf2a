"""Sign-in for staff and citizens, CSRF, idle timeout, language switch, safe redirects."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.people.sms_login import MemorySmsSender, SmsCode
from core.platform.models import Citizen
from core.testing import PASSWORD

from webtools import Browser, csrf_token, login_form


def test_staff_login_logout(web, world):
    b = Browser(web.test_client())
    r = login_form(b, "t_counter")
    assert r.status_code == 302 and r.headers["Location"].endswith("/counter/")
    assert "窗口工作台" in b.text("/counter/")
    r = b.post("/logout")
    assert r.status_code == 302
    assert b.get("/counter/").status_code == 302  # back to the login page


def test_wrong_password_and_unknown_user(web, world):
    b = Browser(web.test_client())
    for user, password in (("t_counter", "wrong-password"), ("nobody", PASSWORD)):
        page = login_form(b, user, password).get_data(as_text=True)
        assert "用户名或密码不正确" in page
    from core.platform.audit import AuditEvent
    with world.quanke.db.session() as s:
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.action == "login_failed")).all() == ["login_failed"] * 2


def test_login_redirect_only_to_own_site(web, world):
    b = Browser(web.test_client())
    token = b.token()
    r = b.client.post("/login?next=https://evil.example/x", data={
        "csrf_token": token, "username": "t_counter", "password": PASSWORD})
    assert r.headers["Location"].endswith("/counter/")
    b2 = Browser(web.test_client())
    r = b2.client.post("/login?next=/counter/pickup", data={
        "csrf_token": b2.token(), "username": "t_counter", "password": PASSWORD})
    assert r.headers["Location"].endswith("/counter/pickup")


def test_csrf_missing_or_wrong_is_rejected(web, world, as_user):
    b = Browser(web.test_client())
    r = b.post("/login", {"username": "t_counter", "password": PASSWORD}, csrf=False)
    assert r.status_code == 400 and "安全校验码" in r.get_data(as_text=True)
    counter = as_user("counter")
    r = counter.post("/counter/queue/call", {"csrf_token": "forged"})
    assert r.status_code == 400


def test_idle_staff_session_times_out(web, world, as_user):
    b = as_user("counter")
    assert b.get("/counter/").status_code == 200
    with b.client.session_transaction() as session:
        session["seen"] = int(dt.datetime.now(dt.timezone.utc).timestamp()) - 31 * 60
    r = b.get("/counter/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert b.get("/counter/").status_code == 302  # signed out for good


def test_inactive_user_is_signed_out(web, world, as_user):
    b = as_user("counter")
    from core.platform.models import User
    with world.quanke.db.session() as s:
        s.get(User, world.counter.id).active = False
    assert b.get("/counter/").status_code == 302


def test_citizen_sms_login_registers_phone(web, world):
    b = Browser(web.test_client())
    page = b.text("/portal/login")
    assert "获取验证码" in page
    r = b.post("/portal/login", {"step": "send", "p-phone": "139 0000 0009"})
    assert "验证码已发送" in r.get_data(as_text=True)
    code = MemorySmsSender.last_code("13900000009")
    assert code and len(code) == 6
    with world.quanke.db.session() as s:
        row = s.scalar(select(SmsCode))
        assert code not in row.code_hash  # stored hashed
    r = b.post("/portal/login", {"step": "verify", "c-phone": "13900000009", "c-code": code})
    assert r.status_code == 302 and r.headers["Location"].endswith("/portal/")
    assert "我的办件" in b.text("/portal/")
    with world.quanke.db.session() as s:
        assert s.scalar(select(Citizen).where(Citizen.phone_index == "13900000009")) is not None
    # one use only
    b2 = Browser(web.test_client())
    r = b2.post("/portal/login", {"step": "verify", "c-phone": "13900000009", "c-code": code})
    assert "验证码已失效" in r.get_data(as_text=True)


def test_sms_code_wrong_expired_resend_limits(web, world):
    b = Browser(web.test_client())
    b.post("/portal/login", {"step": "send", "p-phone": "13900000008"})
    again = b.post("/portal/login", {"step": "send", "p-phone": "13900000008"})
    assert "后再试" in again.get_data(as_text=True)
    code = MemorySmsSender.last_code("13900000008")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        r = b.post("/portal/login", {"step": "verify", "c-phone": "13900000008", "c-code": wrong})
        assert "验证码不正确" in r.get_data(as_text=True)
    r = b.post("/portal/login", {"step": "verify", "c-phone": "13900000008", "c-code": code})
    assert "错误次数过多" in r.get_data(as_text=True)
    with world.quanke.db.session() as s:
        row = s.scalar(select(SmsCode))
        row.attempts = 0
        row.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    r = b.post("/portal/login", {"step": "verify", "c-phone": "13900000008", "c-code": code})
    assert "验证码已失效" in r.get_data(as_text=True)
    bad = b.post("/portal/login", {"step": "send", "p-phone": "12345"})
    assert "11位手机号码" in bad.get_data(as_text=True)


def test_citizen_cannot_open_staff_pages_and_vice_versa(as_user):
    citizen = as_user("citizen")
    assert citizen.get("/counter/").status_code == 403
    assert citizen.get("/approvals/").status_code == 403
    assert citizen.get("/admin/users").status_code == 403
    staff = as_user("counter")
    assert staff.get("/portal/").status_code == 403


def test_anonymous_is_sent_to_the_right_login(web):
    client = web.test_client()
    assert "/portal/login" in client.get("/portal/").headers["Location"]
    assert client.get("/counter/").headers["Location"].split("?")[0].endswith("/login")


def test_language_switch_to_english(web, world, as_user):
    b = as_user("counter")
    b.get("/lang/en?next=/counter/")
    page = b.text("/counter/")
    assert "Counter workbench" in page and "窗口工作台" not in page
    b.get("/lang/zh_CN")
    assert "窗口工作台" in b.text("/counter/")
    assert b.get("/lang/xx?next=//evil.example").headers["Location"] == "/"


def test_change_own_password(web, world, as_user):
    b = as_user("counter")
    r = b.post("/account", {"old_password": "bad-one-123", "new_password": "new-pass-456"})
    assert "原密码不正确" in r.get_data(as_text=True)
    b.post("/account", {"old_password": PASSWORD, "new_password": "new-pass-456"})
    fresh = Browser(web.test_client())
    assert login_form(fresh, "t_counter", "new-pass-456").status_code == 302


def test_security_headers(web):
    r = web.test_client().get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_csrf_helper_sanity(web):
    assert csrf_token(web.test_client())
