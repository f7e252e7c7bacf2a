"""Issue 21 in Chromium: the audit log and a citizen's timeline read as words (labelled
operations, names, a summary of the details) at 1366×768 and 390×844. Screenshots go to
``QUANKE_SHOTS_DIR`` (default: a temporary folder) for a person to look at."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core.people.sms_login import MemorySmsSender
from core.platform.models import Applicant, Citizen

from .test_browser_e2e import CHROMIUM, DESKTOP, PHONE, browser, live, staff  # noqa: F401 - fixtures
from .test_visible_words import codes_in, visible_text

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("QUANKE_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _face_check_without_portrait(quanke):
    """The first demo citizen starts an archive query online; the face check ends in
    no_reference (no portrait registered)."""
    from core import acceptance
    from core.identity import verification
    from core.testing import TINY_PNG
    with quanke.db.session() as s:
        citizen = s.scalars(select(Citizen).order_by(Citizen.id)).first()
        person = s.get(Applicant, citizen.applicant_id)
        name, number, phone = person.name, person.id_number, person.phone
        s.expunge(citizen)
    service = quanke.service("archive_query.query")
    draft = acceptance.file_application(quanke, citizen, service_code=service.code, applicant_id=person.id,
                                        form_data=service.example_for(name, number), submit=False)
    status = verification.start_face_check(quanke, citizen, draft.id, [TINY_PNG] * 3, ip="10.0.0.9")
    assert status["status"] == "error"
    return draft.id, phone


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_audit_log_and_timeline_read_as_words(live, browser, quanke, shots, viewport):
    app_id, phone = _face_check_without_portrait(quanke)
    auditor = staff(browser, live, "auditor")
    auditor.set_viewport_size(viewport)
    auditor.goto(f"{live}/admin/audit")
    body = auditor.locator("body")
    expect(body).to_contain_text("远程人脸核验")
    expect(body).to_contain_text("原因：还没有您的登记照片")
    text = visible_text(auditor.content())
    assert not codes_in(text, frozenset(re.findall(r"（([a-z0-9_]+)）", text))), codes_in(text)
    shots(auditor, f"w21-audit-log-{viewport['width']}")

    auditor.goto(f"{live}/approvals/applications/{app_id}")
    expect(auditor.locator(".timeline")).to_contain_text("远程人脸核验")
    shots(auditor, f"w21-case-timeline-{viewport['width']}")

    citizen = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    citizen.goto(f"{live}/portal/login")
    citizen.get_by_label("手机号码").fill(phone)
    citizen.get_by_role("button", name="获取验证码").click()
    citizen.get_by_label("短信验证码").fill(MemorySmsSender.last_code(phone))
    citizen.get_by_role("button", name="登录").click()
    citizen.wait_for_url(re.compile(r"/portal/$"))
    citizen.goto(f"{live}/portal/applications/{app_id}")
    shots(citizen, f"w21-portal-timeline-{viewport['width']}")
    assert not codes_in(visible_text(citizen.content()))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_roles_and_business_scopes_are_searchable_checkbox_lists(live, browser, quanke, shots, viewport):
    from core.platform.models import User
    admin = staff(browser, live, "admin")
    admin.set_viewport_size(viewport)
    admin.goto(f"{live}/admin/users/new")
    expect(admin.locator("select[multiple]")).to_be_hidden()     # no Ctrl-click list
    roles = admin.get_by_role("group", name="角色")
    admin.get_by_label("筛选角色").fill("审计")
    expect(roles.get_by_label("审计人员")).to_be_visible()
    expect(roles.get_by_label("全科社工")).to_be_hidden()
    roles.get_by_label("审计人员").check()
    admin.get_by_label("筛选角色").fill("")
    roles.get_by_label("全科社工").check()
    expect(admin.locator(".checklist-count")).to_have_text("已选 2 项")
    shots(admin, f"w21-roles-checklist-{viewport['width']}")
    username = f"w21check{viewport['width']}"
    admin.get_by_label("用户名").fill(username)
    admin.get_by_label("姓名").fill("勾选测试")
    admin.get_by_label("初始密码").fill("checklist-pass-1")
    admin.get_by_role("button", name="保存").click()
    admin.wait_for_load_state()
    with quanke.db.session() as s:
        from sqlalchemy import select as sql_select
        user = s.scalar(sql_select(User).where(User.username == username))
        assert user is not None and user.roles == {"auditor", "counter"}

    counter = staff(browser, live, "counter1")
    counter.set_viewport_size(viewport)
    with quanke.db.session() as s:
        applicant_id = s.scalars(select(Citizen).order_by(Citizen.id)).first().applicant_id
    counter.goto(f"{live}/counter/applicants/{applicant_id}/apply/business_license.individual")
    scopes = counter.get_by_role("group", name="经营范围")
    expect(scopes).to_be_visible()
    counter.get_by_label("筛选经营范围").fill("餐饮")
    visible = scopes.locator(".checklist-item:visible")
    assert 0 < visible.count() < scopes.locator(".checklist-item").count()
    visible.first.locator("input").check()
    shots(counter, f"w21-scopes-checklist-{viewport['width']}")
