"""Small things every page gets right (issue 21 § Bugs): form fields carry only the ARIA
attributes that are set, the password rule is the same on the form as on the server (the
demo password included), the statistics CSV has one charset, every page has a favicon."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from core.ops.demo import DEMO_LOGINS
from core.people.passwords import DEMO_PASSWORD, MIN_LENGTH, problems
from core.platform.models import User

NONE_ATTRIBUTE = re.compile(r'\s([\w-]+)="None"')


def test_fields_render_no_none_attributes(as_user, world):
    """aria-invalid="None" makes a screen reader call every field invalid; required="None"
    makes every field required."""
    admin = as_user("sys_admin")
    for url in ("/admin/users/new", f"/admin/users/{world.auditor.id}", "/account"):
        page = admin.text(url)
        assert NONE_ATTRIBUTE.findall(page) == [], url
    page = admin.text("/admin/users/new")
    username = re.search(r'<input[^>]*id="username"[^>]*>', page).group(0)
    assert " required" in username and "aria-invalid" not in username
    optional = re.search(r'<input[^>]*id="phone"[^>]*>', page).group(0)
    assert "required" not in optional and "aria-invalid" not in optional
    citizen = as_user("citizen").text("/portal/services/sample.permit/apply")
    assert NONE_ATTRIBUTE.findall(citizen) == []


def test_a_field_with_an_error_points_at_it(as_user):
    page = as_user("sys_admin").post("/admin/users/new", {"username": "", "name": "新人",
                                                          "roles": ["auditor"]}).get_data(as_text=True)
    username = re.search(r'<input[^>]*id="username"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in username and 'aria-describedby="username-error"' in username
    assert 'id="username-error"' in page and NONE_ATTRIBUTE.findall(page) == []


def test_the_new_user_form_states_and_applies_the_servers_rule(as_user, world):
    admin = as_user("sys_admin")
    page = admin.text("/admin/users/new")
    password = re.search(r'<input[^>]*id="password"[^>]*>', page).group(0)
    assert f'minlength="{MIN_LENGTH}"' in password and 'autocomplete="new-password"' in password
    assert f"至少{MIN_LENGTH}位" in page                        # said before anything is typed
    with world.quanke.db.session() as s:
        before = s.scalar(select(func.count(User.id)))
    nine = admin.post("/admin/users/new", {"username": "newbie", "name": "新人", "password": "Ab-12345x",
                                           "roles": ["auditor"]}).get_data(as_text=True)
    assert f"密码至少{MIN_LENGTH}位" in nine
    with world.quanke.db.session() as s:
        assert s.scalar(select(func.count(User.id))) == before


def test_the_demo_password_meets_the_policy_for_every_demo_account():
    assert len(DEMO_PASSWORD) >= MIN_LENGTH
    for username, _label in DEMO_LOGINS + [("agent1", ""), ("approver2", ""), ("counter_s01", "")]:
        assert problems(DEMO_PASSWORD, username=username) == [], username


def test_the_login_page_shows_the_demo_password_it_will_accept(as_user):
    page = as_user(None).text("/login")
    assert DEMO_PASSWORD in page and "demo12345" not in page


def test_stats_csv_has_one_charset(as_user):
    r = as_user("sys_admin").get("/admin/stats.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_every_page_links_a_favicon_that_exists(as_user, web):
    for who, url in ((None, "/login"), ("counter", "/counter/"), ("citizen", "/portal/"), (None, "/verify/")):
        page = as_user(who).text(url)
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
        assert icons, url
        for href in icons:
            assert web.test_client().get(href).status_code == 200, href
    r = web.test_client().get("/favicon.ico")
    assert r.status_code == 200 and r.data[:4] == b"\x00\x00\x01\x00"    # an ICO file
