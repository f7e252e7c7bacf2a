"""Sessions end on the server: a copied cookie stops working after logout, a password
change, a role change or deactivation (issue 23 #5)."""
from __future__ import annotations

from core.people import staff_admin
from core.people.users import create_user
from core.platform.models import User
from webtools import Browser

PASSWORD = "Quanke-Sessions-2026"


def _signed_in(web, world, username="sess_worker"):
    with world.quanke.db.session() as db:
        user = create_user(db, username=username, name="会话测试", password=PASSWORD, roles=["counter"],
                           centre_code=world.centre.code)
        user_id = user.id
    browser = Browser(web.test_client())
    r = browser.post("/login", {"username": username, "password": PASSWORD})
    assert r.status_code == 302 and "login" not in r.headers["Location"], r.headers
    browser._token = None   # signing in starts a new session (and CSRF token)
    return browser, user_id


def _copy(web, browser):
    """Another browser holding a copy of the session cookie."""
    thief = web.test_client()
    name = web.config.get("SESSION_COOKIE_NAME", "session")
    thief.set_cookie(name, browser.client.get_cookie(name).value)
    return thief


def _works(client) -> bool:
    r = client.get("/account")
    return r.status_code == 200


def test_logout_ends_the_copied_cookie(web, world):
    browser, _ = _signed_in(web, world)
    thief = _copy(web, browser)
    assert _works(thief)
    assert browser.post("/logout").status_code == 302
    assert not _works(thief)
    assert not _works(browser.client)


def test_password_change_ends_other_sessions_but_not_this_one(web, world):
    browser, _ = _signed_in(web, world)
    thief = _copy(web, browser)
    r = browser.post("/account", {"old_password": PASSWORD, "new_password": "Another-Good-Pass-77"})
    assert r.status_code == 302
    assert _works(browser.client)
    assert not _works(thief)


def test_admin_password_reset_role_change_and_deactivation(web, world):
    for change in ("reset", "roles", "deactivate"):
        browser, user_id = _signed_in(web, world, f"sess_{change}")
        thief = _copy(web, browser)
        with world.quanke.db.session() as db:
            admin = db.get(User, world.sys_admin.id)
            user = db.get(User, user_id)
            if change == "reset":
                staff_admin.set_password(db, admin, user_id, "Reset-Good-Pass-88")
            else:
                staff_admin.update_user(db, admin, user_id, name=user.name,
                                        centre_code=None, roles=["counter", "agent"] if change == "roles" else ["counter"],
                                        active=change != "deactivate")
        assert not _works(thief), change
        assert not _works(browser.client), change
