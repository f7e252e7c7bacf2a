"""Staff lock-out: N failed sign-ins lock the account for a while (audited), the same message
for unknown, wrong and locked, automatic unlock after the period, unlock by an administrator."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.people import lockout
from core.platform.audit import AuditEvent
from core.testing import PASSWORD

from webtools import Browser, login_form

GENERIC = "用户名或密码不正确"


def _attempt(web, username, password):
    response = login_form(Browser(web.test_client()), username, password)
    return response.status_code, response.get_data(as_text=True)


def _actions(quanke, user_id):
    with quanke.db.session() as s:
        return list(s.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_index == lockout.subject(user_id)).order_by(AuditEvent.seq)))


def test_five_failures_lock_even_the_right_password_with_the_same_message(web, world):
    quanke, user = world.quanke, world.users["counter"]
    for _ in range(5):
        status, page = _attempt(web, "t_counter", "wrong-password-1")
        assert status == 200 and GENERIC in page
    status, locked_page = _attempt(web, "t_counter", PASSWORD)
    assert status == 200 and GENERIC in locked_page          # refused, and says nothing more
    _status, unknown_page = _attempt(web, "no_such_user", PASSWORD)
    assert GENERIC in unknown_page
    assert "锁定" not in locked_page.replace("连续多次输错后账号将暂时锁定", "")
    assert _actions(quanke, user.id) == ["login_failed"] * 5 + ["user_locked", "login_refused_locked"]
    # another account is not affected
    assert _attempt(web, "t_counter_b", PASSWORD)[0] == 302


def _later(monkeypatch, minutes):
    from core.platform import clock
    monkeypatch.setattr(lockout, "now", lambda: clock.now() + dt.timedelta(minutes=minutes))


def test_lock_ends_by_itself_after_the_period(web, world, monkeypatch):
    quanke, user = world.quanke, world.users["counter"]
    for _ in range(5):
        _attempt(web, "t_counter", "wrong-password-1")
    assert _attempt(web, "t_counter", PASSWORD)[0] == 200
    _later(monkeypatch, 14)
    assert _attempt(web, "t_counter", PASSWORD)[0] == 200
    _later(monkeypatch, 16)             # the lock's 15 minutes have passed
    assert _attempt(web, "t_counter", PASSWORD)[0] == 302
    assert _actions(quanke, user.id)[-1] == "login"


def test_failures_outside_the_window_do_not_add_up(web, world, monkeypatch):
    for _ in range(4):
        _attempt(web, "t_counter", "wrong-password-1")
    _later(monkeypatch, 20)
    _attempt(web, "t_counter", "wrong-password-1")
    assert _attempt(web, "t_counter", PASSWORD)[0] == 302


def test_a_success_resets_the_count(web, world):
    for _ in range(4):
        _attempt(web, "t_counter", "wrong-password-1")
    assert _attempt(web, "t_counter", PASSWORD)[0] == 302
    for _ in range(4):
        _attempt(web, "t_counter", "wrong-password-1")
    assert _attempt(web, "t_counter", PASSWORD)[0] == 302


def test_admin_sees_the_lock_and_lifts_it(web, world):
    from webtools import sign_in
    quanke, user = world.quanke, world.users["counter"]
    for _ in range(5):
        _attempt(web, "t_counter", "wrong-password-1")
    admin = Browser(web.test_client())
    sign_in(admin.client, f"u:{world.users['sys_admin'].id}")
    page = admin.text(f"/admin/users/{user.id}")
    assert "该账号因连续输错密码已锁定" in page and "立即解除锁定" in page
    # only a system administrator may unlock
    counter_b = Browser(web.test_client())
    sign_in(counter_b.client, f"u:{world.users['counter_b'].id}")
    assert counter_b.post(f"/admin/users/{user.id}/unlock").status_code == 403
    response = admin.post(f"/admin/users/{user.id}/unlock")
    assert response.status_code == 302
    assert "已解除锁定" in admin.text(f"/admin/users/{user.id}")
    assert _attempt(web, "t_counter", PASSWORD)[0] == 302
    with quanke.db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "user_unlocked"))
        assert event.actor == f"user:{world.users['sys_admin'].id}"
    assert admin.post("/admin/users/999999/unlock").status_code == 404


def test_limits_come_from_configuration(web, world):
    world.quanke.config.update(LOGIN_MAX_FAILURES=2)
    for _ in range(2):
        _attempt(web, "t_counter", "wrong-password-1")
    assert _attempt(web, "t_counter", PASSWORD)[0] == 200
