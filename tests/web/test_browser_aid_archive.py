"""Issue 17 §6 (archive query) and §7 (legal aid) in a real browser (Debian's chromium via
Playwright), at the counter and on the portal, at 1366×768 and 390×844.

Screenshots go to ``QUANKE_SHOTS_DIR`` (default: a temporary folder) for a person to look at.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_browser_e2e import CHROMIUM, DESKTOP, PHONE, browser, live, staff  # noqa: F401 - fixtures
from .test_browser_lawful import shots  # noqa: F401 - fixture
from .test_browser_lawful_services import _applicant, _pdf_text, citizen_page, field, fits, off_the_loop

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def _counter_apply(browser, live, viewport, quanke, index, service_code):
    counter = staff(browser, live, "counter1")
    counter.set_viewport_size(viewport)
    counter.set_default_timeout(10_000)
    person = _applicant(quanke, index)
    counter.goto(f"{live}/counter/applicant")
    from core.ops.demo import CITIZENS
    counter.get_by_label("证件号码").fill(CITIZENS[index][2])
    counter.get_by_role("button", name="查找 / 登记").click()
    counter.wait_for_url(re.compile(rf"/counter/applicants/{person.id}"))
    counter.goto(f"{live}/counter/applicants/{person.id}/apply/{service_code}")
    return counter


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_legal_aid_receipt_from_the_system_and_a_criminal_notification(live, browser, quanke, shots, viewport):
    counter = _counter_apply(browser, live, viewport, quanke, 1, "legal_aid.application")
    no_typed_receipt = "[name$='received_on'], [name$='area_code'], [name$='receipt_date']"
    expect(counter.locator(no_typed_receipt)).to_have_count(0)
    expect(counter.get_by_label(re.compile("收到申请|地区代码|行政区划"))).to_have_count(0)
    # a court's notification, filed by the counter: no means test asked
    field(counter, "申请事项类别").select_option("notification")
    counter.get_by_label(re.compile("^通知机关（")).select_option("court")
    field(counter, "通知机关名称").fill("南京市栖霞区人民法院")
    field(counter, "案号或通知文号").fill("（2026）苏0113刑初100号")
    counter.get_by_label(re.compile("^通知的法定情形")).select_option("minor")
    field(counter, "案情及申请事项简述").fill("被告人涉嫌盗窃罪，审判时未满十八周岁，没有委托辩护人。")
    for material in ("applicant_id", "case_materials", "notification_letter"):
        counter.locator(f'input[name="mat-{material}"]').check()
    counter.get_by_label(re.compile("申请人当面同意由我代为填报")).check()
    shots(counter, f"la-counter-form-{viewport['width']}")
    counter.get_by_role("button", name="登记并核查").click()
    counter.wait_for_url(re.compile(r"/counter/applications/\d+$"))
    body = counter.locator("body")
    expect(body).to_contain_text("通知指派不是申请，不审查经济困难状况")
    expect(counter.get_by_test_id("clock-summary")).to_contain_text(
        "自收到申请之日起7日内办结（《中华人民共和国法律援助法》第四十三条）；不得延长")
    shots(counter, f"la-counter-recorded-{viewport['width']}")
    fits(counter)
    counter.get_by_role("button", name="受理并出具回执").click()
    counter.wait_for_load_state()
    shots(counter, f"la-counter-accepted-{viewport['width']}")
    expect(body).to_contain_text("收到申请日期")
    expect(body).to_contain_text("法定时限：7日（自然日")
    expect(body).to_contain_text("第四十三条")
    expect(body).not_to_contain_text("'path': 'notification'", use_inner_text=True)   # the raw check data stays folded
    fits(counter)

    # the citizen's own online form has no receipt date or area either
    from core.ops.demo import CITIZENS
    citizen = citizen_page(browser, live, viewport, CITIZENS[1][0])
    citizen.goto(f"{live}/portal/services/legal_aid.application")
    expect(citizen.locator("body")).to_contain_text("7日")
    citizen.get_by_role("link", name="在线申请").first.click()
    expect(field(citizen, "案情及申请事项简述")).to_be_visible()
    expect(citizen.locator(no_typed_receipt)).to_have_count(0)
    expect(citizen.get_by_label(re.compile("收到申请|地区代码|行政区划"))).to_have_count(0)
    shots(citizen, f"la-portal-form-{viewport['width']}")
    fits(citizen)
