"""Issue 17 §8 (好差评) in a real browser (Debian's chromium via Playwright): a bad rating's
follow-up closed with a resolution the rater then sees on the portal (at 390×844 and
1366×768), the rated worker's appeal decided by the centre admin, a served queue number and an
answered enquiry rated on the counter's second screen.

Screenshots go to ``QUANKE_SHOTS_DIR`` (default: a temporary folder) for a person to look at.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.ops.demo import CITIZENS
from core.platform.models import Application

from .test_browser_e2e import CHROMIUM, DESKTOP, PHONE, browser, live, staff  # noqa: F401 - fixtures
from .test_browser_lawful import shots  # noqa: F401 - fixture
from .browser_kit import citizen_page, demo_applicant, fits

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

COMPLAINT = "排队一个多小时，窗口人员中途离开没有说明"
TICKET_COMPLAINT = "态度很差"
RESOLUTION = "已约谈该窗口人员，离岗须放置暂停服务牌并告知群众，纳入本月考核"


def _zhang_sans_application(quanke) -> int:
    with quanke.db.session() as s:
        return s.scalars(select(Application.id).where(
            Application.applicant_id == demo_applicant(quanke, 0).id,
            Application.state == "accepted").order_by(Application.id)).first()


def test_bad_rating_followed_up_appealed_and_tickets_and_enquiries_rated(live, browser, quanke, shots):
    app_id = _zhang_sans_application(quanke)
    # 张三 rates his application from the phone: 不满意
    citizen = citizen_page(browser, live, PHONE, CITIZENS[0][0])
    citizen.goto(f"{live}/portal/applications/{app_id}")
    citizen.get_by_role("radio", name="不满意", exact=True).check()
    citizen.get_by_label("意见建议（选填）").fill(COMPLAINT)
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.locator("body")).to_contain_text("感谢您的评价")
    shots(citizen, "rating-portal-bad-390")

    # the centre admin follows it up and closes it with what was done
    admin = staff(browser, live, "centreadmin")
    admin.set_default_timeout(10_000)
    admin.goto(f"{live}/admin/follow-ups")
    item = admin.locator("section.card, article, li, div.card", has_text=COMPLAINT).last
    expect(item).to_be_visible()
    shots(admin, "rating-follow-up-open")
    item.get_by_label("回访整改情况").fill(RESOLUTION)
    item.get_by_role("button", name="办结").click()
    admin.wait_for_load_state()
    shots(admin, "rating-follow-up-closed")

    # the rater sees what was done, at both widths
    citizen.reload()
    expect(citizen.locator("body")).to_contain_text(RESOLUTION)
    shots(citizen, "rating-portal-resolution-390")
    fits(citizen)
    citizen.set_viewport_size(DESKTOP)
    citizen.reload()
    expect(citizen.locator("body")).to_contain_text(RESOLUTION)
    shots(citizen, "rating-portal-resolution-1366")

    worker = staff(browser, live, "counter1")
    worker.set_default_timeout(10_000)
    # a served queue number rated on the second screen: badly, naming the worker who served it
    kiosk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    kiosk.goto(f"{live}/queue/S01")
    kiosk.get_by_role("button", name="取号").click()
    number = kiosk.locator(".ticket-now").inner_text().strip()
    worker.goto(f"{live}/counter/queue")
    worker.get_by_label("窗口号").fill("3")
    worker.get_by_role("button", name="叫下一位").click()
    worker.get_by_role("button", name="办结", exact=True).click()
    screen = worker.get_by_role("link", name=f"{number} 评价屏")
    worker.goto(live + screen.get_attribute("href"))
    expect(worker.locator("body")).to_contain_text(number)
    worker.get_by_role("radio", name="非常不满意", exact=True).check()
    worker.get_by_label("意见建议（选填）").fill(TICKET_COMPLAINT)
    worker.get_by_role("button", name="提交评价").click()
    expect(worker.locator("body")).to_contain_text("感谢您的评价")
    shots(worker, "rating-ticket")

    # the rated worker appeals; the centre admin upholds it
    worker.goto(f"{live}/counter/ratings")
    shots(worker, "rating-my-ratings")
    row = worker.locator("tr", has_text=TICKET_COMPLAINT)
    row.get_by_text("申诉", exact=True).click()
    row.get_by_label("申诉理由").fill("群众评价时误点了“非常不满意”，当场向窗口说明并留有录像")
    row.get_by_role("button", name="提交申诉").click()
    expect(worker.locator("body")).to_contain_text("申诉已提交，由中心管理员复核")
    shots(worker, "rating-appeal-filed")
    admin.goto(f"{live}/admin/appeals")
    appeal = admin.locator("section.card", has_text=TICKET_COMPLAINT)
    appeal.get_by_label("申诉成立（该评价不计入满意度统计）").check()
    appeal.get_by_label("复核意见").fill("经调取窗口录像核实，系误点，评价不反映服务情况")
    appeal.get_by_role("button", name="提交复核结论").click()
    admin.wait_for_load_state()
    shots(admin, "rating-appeal-decided")
    worker.reload()
    expect(worker.locator("tr", has_text=TICKET_COMPLAINT)).to_contain_text("申诉成立")
    shots(worker, "rating-appeal-upheld")

    # an answered enquiry rated on the second screen
    worker.goto(f"{live}/counter/")
    worker.get_by_label("咨询内容").fill("社保卡丢了在哪里补办？")
    worker.get_by_label("当场答复").fill("本中心3号窗口即可补办，带身份证")
    worker.get_by_role("button", name="登记", exact=True).click()
    enquiry = worker.get_by_test_id("first-contacts").locator("tr", has_text="社保卡丢了在哪里补办")
    worker.goto(live + enquiry.get_by_role("link", name="评价屏（好差评）").get_attribute("href"))
    expect(worker.locator("body")).to_contain_text("咨询：社保卡丢了在哪里补办？")
    worker.get_by_role("radio", name="满意", exact=True).check()
    worker.get_by_role("button", name="提交评价").click()
    expect(worker.locator("body")).to_contain_text("感谢您的评价")
    shots(worker, "rating-enquiry")
    worker.reload()   # rated once: no second form
    expect(worker.get_by_role("button", name="提交评价")).to_have_count(0)
