"""In a real browser: a citizen saves a draft, edits it on the phone (keyboard and labels), a
counter worker helps edit it with the citizen's consent; an approver's queue page shows the
plugins' panels. With ``QUANKE_SCREENSHOTS=1`` it refreshes the matching docs/screenshots/."""
from __future__ import annotations

import re

import pytest

from core.ops.demo import CITIZENS
from core.platform.models import Application, State
from core.people.sms_login import MemorySmsSender

from test_browser_e2e import PHONE, browser, live, shot, staff, state_of  # noqa: F401 - fixtures

pytest.importorskip("playwright.sync_api")


def citizen_page(browser, base, phone):  # noqa: F811 - the fixture is passed in
    page = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    page.goto(f"{base}/portal/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(MemorySmsSender.last_code(phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/portal/$"))
    return page


def test_draft_edited_by_citizen_then_with_counter_help(live, browser, quanke):  # noqa: F811
    base = live
    phone, _name, id_number = CITIZENS[0]
    citizen = citizen_page(browser, base, phone)
    citizen.goto(f"{base}/portal/services/sample.permit/apply")
    citizen.get_by_label("用途").fill("开办社区书屋")
    citizen.get_by_role("button", name="保存草稿").click()
    citizen.wait_for_url(re.compile(r"/portal/applications/\d+$"))
    app_id = int(citizen.url.rsplit("/", 1)[1])
    citizen.get_by_role("link", name="修改申请表和材料").click()
    purpose = citizen.get_by_label("用途")
    assert purpose.input_value() == "开办社区书屋"
    purpose.fill("")
    citizen.get_by_role("button", name="保存草稿").click()
    assert citizen.locator('[role="alert"]').count() >= 1          # the error next to the field
    citizen.get_by_label("用途").fill("开办社区书屋（周末开放）")
    citizen.locator('input[name="file-id_proof"]').set_input_files(
        {"name": "身份证明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"})
    citizen.get_by_label("领取方式").select_option("courier")
    citizen.get_by_label("邮寄地址").fill("南京市玄武区中山路1号")   # recipient and phone: pre-filled
    shot(citizen, "portal-draft-edit", full=True)
    citizen.get_by_role("button", name="保存草稿").click()
    citizen.wait_for_url(re.compile(rf"/portal/applications/{app_id}$"))
    assert "草稿已保存" in citizen.content()
    with quanke.db.session() as s:
        app = s.get(Application, app_id)
        assert app.form_data["purpose"] == "开办社区书屋（周末开放）" and app.delivery_method == "courier"
        assert app.courier_address["address"] == "南京市玄武区中山路1号"
        assert [m.code for m in app.materials] == ["id_proof"] and app.state == State.DRAFT.value

    # at the counter: the worker finds the applicant and helps with the draft
    counter = staff(browser, base, "counter1")
    counter.goto(f"{base}/counter/applicant")
    counter.get_by_label("证件号码").fill(id_number)
    counter.get_by_role("button", name="查找 / 登记").click()
    counter.get_by_role("link", name="协助修改").first.click()
    counter.get_by_label("用途").fill("开办社区书屋（周末及节假日开放）")
    counter.get_by_label("申请人已确认上述修改并同意由工作人员代为修改").check()
    shot(counter, "counter-draft-edit", full=True)
    counter.get_by_role("button", name="保存草稿").click()
    counter.wait_for_load_state()
    assert "草稿已保存" in counter.content()
    with quanke.db.session() as s:
        assert s.get(Application, app_id).form_data["purpose"] == "开办社区书屋（周末及节假日开放）"
    assert state_of(quanke, app_id) == State.DRAFT.value


def test_approver_queue_page_shows_plugin_panels(live, browser, quanke):  # noqa: F811
    approver = staff(browser, live, "approver1")
    departments = [d for d in quanke.plugins.departments]
    legal = next((d for d in departments if quanke.plugins.services.get("legal_aid.application")
                  and quanke.service("legal_aid.application").department == d), None)
    if legal is None:
        pytest.skip("legal_aid plugin not loaded")
    approver.goto(f"{live}/approvals/{legal}")
    panel = approver.locator(".panels")
    assert "待指派律师的法律援助案件" in panel.inner_text()
    shot(approver, "approver-queue-panels")
