"""Admin: users, roles, centre authorisations, tokens; statistics and CSV; the audit log."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select, text

from core.platform.clock import today as local_today  # 北京时间: the service day, not the machine's UTC date
from core.platform.models import Centre, User
from core.testing import drive_to
from core.people.tokens import ApiToken
from webtools import Browser, login_form


def test_create_user_with_roles_then_login(as_user, web, world):
    admin = as_user("sys_admin")
    page = admin.text("/admin/users")
    assert "t_counter" in page
    r = admin.post("/admin/users/new", {"username": "newbie", "name": "新人", "password": "newbie-pass-1",
                                        "centre": "T01", "roles": ["counter", "approver:sample_dept"],
                                        "active": "y"})
    assert r.status_code == 302
    fresh = Browser(web.test_client())
    assert login_form(fresh, "newbie", "newbie-pass-1").headers["Location"].endswith("/counter/")
    with world.quanke.db.session() as s:
        user = s.scalars(select(User).where(User.username == "newbie")).unique().one()
        assert user.has_role(__import__("core.platform.models").platform.models.Role.APPROVER, "sample_dept")
    dup = admin.post("/admin/users/new", {"username": "newbie", "name": "x", "password": "newbie-pass-1",
                                          "roles": ["counter"]})
    assert "已存在" in dup.get_data(as_text=True)


def test_edit_roles_and_deactivate(as_user, world):
    admin = as_user("sys_admin")
    uid = world.counter.id
    admin.post(f"/admin/users/{uid}", {"name": "改名", "centre": "T02", "roles": ["counter", "agent"], "active": ""})
    with world.quanke.db.session() as s:
        user = s.get(User, uid)
        assert user.name == "改名" and not user.active and user.roles == {"counter", "agent"}
        assert user.centre_id == world.other_centre.id
    r = admin.post(f"/admin/users/{world.sys_admin.id}", {"name": "x", "roles": ["auditor"], "active": "y"})
    assert "不能停用自己" in r.get_data(as_text=True)


def test_centre_services(as_user, world):
    admin = as_user("sys_admin")
    assert "测试街道便民服务中心" in admin.text("/admin/centres")
    admin.post(f"/admin/centres/{world.station.id}", {"service": ["sample.permit"]})
    with world.quanke.db.session() as s:
        assert s.get(Centre, world.station.id).may_accept("sample.permit")
    r = admin.post(f"/admin/centres/{world.station.id}", {"service": ["bogus.x"]}, follow_redirects=True)
    assert "未知的事项" in r.get_data(as_text=True)
    assert as_user("centre_admin").get("/admin/centres").status_code == 403


def test_token_shown_once_and_works(as_user, web, world):
    admin = as_user("sys_admin")
    page = admin.post(f"/admin/users/{world.counter.id}/tokens", {"name": "测试系统"}).get_data(as_text=True)
    token = page.split("<code>")[1].split("</code>")[0]
    assert token.startswith("qk_")
    client = web.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()["username"] == "t_counter"
    again = admin.text(f"/admin/users/{world.counter.id}")
    assert token not in again
    with world.quanke.db.session() as s:
        row = s.scalar(select(ApiToken))
        assert token not in row.token_hash
    admin.post(f"/tokens/{row.id}/revoke")  # wrong path: 404, token still valid
    admin.post(f"/admin/tokens/{row.id}/revoke")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_stats_dashboard_and_csv(as_user, world):
    drive_to(world, "approved")
    drive_to(world, "submitted")
    admin = as_user("sys_admin")
    page = admin.text("/admin/stats")
    assert page.count("<svg") >= 6 and "按事项的申请量" in page and "示例许可" in page
    import datetime as dt
    start, end = local_today() - dt.timedelta(days=3), local_today() + dt.timedelta(days=1)
    r = admin.get(f"/admin/stats.csv?start={start}&end={end}")
    assert r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "key", "value"]
    assert ["by_service", "示例许可", "2"] in rows
    bad = admin.text("/admin/stats?start=nonsense")
    assert "YYYY-MM-DD" in bad
    centre = as_user("centre_admin").text("/admin/stats")
    assert "本中心" in centre
    assert as_user("counter").get("/admin/stats").status_code == 403


def test_audit_log_search_and_verify(as_user, world):
    app = drive_to(world, "accepted")
    auditor = as_user("auditor")
    page = auditor.text(f"/admin/audit?application={app.number}")
    assert "审计链完整" in page and "受理" in page
    subject = auditor.text(f"/admin/audit?subject={app.applicant.id_number}")
    assert "登记申请" in subject
    staff = auditor.text("/admin/audit?staff=t_acceptor")
    assert "受理" in staff
    assert "没有符合条件" in auditor.text("/admin/audit?staff=nobody")
    with world.quanke.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'user:999' WHERE seq = 3"))
    broken = auditor.text("/admin/audit?verify=1")
    assert "审计链被破坏" in broken
    assert as_user("sys_admin").get("/admin/audit").status_code == 403


def test_admin_home_warns_while_next_year_is_provisional(as_user, monkeypatch):
    import datetime as dt
    monkeypatch.setattr("core.platform.clock.today", lambda moment=None: dt.date(2026, 11, 2))
    page = as_user("sys_admin").text("/admin/stats")
    assert 'data-testid="calendar-warning"' in page and "2027年的节假日安排尚未载入" in page
    monkeypatch.setattr("core.platform.clock.today", lambda moment=None: dt.date(2026, 10, 30))
    assert "节假日安排尚未载入" not in as_user("sys_admin").text("/admin/stats")
