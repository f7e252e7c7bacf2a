"""Issue 17 §2, §3 and §5 in a real browser (Debian's chromium via Playwright).

Screenshots go to ``QUANKE_SHOTS_DIR`` (default: a temporary folder) for a person to look at.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from core.ops.demo import valid_resident_id

from .test_browser_e2e import CHROMIUM, DESKTOP, PHONE, browser, live, staff  # noqa: F401 - fixtures
from .test_browser_lawful import shots  # noqa: F401 - fixture

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def field(page, label: str):
    """The input labelled exactly ``label`` (a required field's label ends with ``*``)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def fits(page) -> None:
    """Nothing sticks out to the right (a 390 px phone shows the whole width)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_counter_records_a_filing_without_premises_proof_and_gives_one_notice(live, browser, shots, viewport):
    born = dt.date.today().replace(year=dt.date.today().year - 17) - dt.timedelta(days=30)
    id_number = valid_resident_id(f"320102{born:%Y%m%d}321")
    counter = staff(browser, live, "counter1")
    counter.set_viewport_size(viewport)
    counter.set_default_timeout(10_000)
    counter.goto(f"{live}/counter/applicant")
    counter.get_by_label("证件号码").fill(id_number)
    counter.get_by_role("button", name="查找 / 登记").click()
    counter.get_by_label("姓名").fill("钱小勇")
    counter.get_by_role("button", name="查找 / 登记").click()
    counter.get_by_label("事项名称、关键词或拼音首字母").fill("个体工商户设立")
    counter.get_by_role("button", name="搜索").click()
    counter.get_by_role("link", name="办理").first.click()
    field(counter, "经营者姓名").fill("钱小勇")
    field(counter, "经营者身份证号码").fill(id_number)
    field(counter, "经营者住所").fill("江苏省南京市玄武区长江路12号3幢201室")
    field(counter, "所在街道").select_option(label="新街口街道")
    field(counter, "经营场所").fill("中山路88号一层102室")
    field(counter, "经营范围").select_option(label="日用百货销售")
    field(counter, "资金数额（元）").fill("20000")
    counter.locator("#f-phone").fill("13900000017")
    counter.locator('input[name="mat-operator_id"]').check()   # the ID card, nothing else
    counter.get_by_label(re.compile("申请人当面同意由我代为填报")).check()
    shots(counter, f"bl-counter-form-{viewport['width']}")
    counter.get_by_role("button", name="登记并核查").click()
    counter.wait_for_url(re.compile(r"/counter/applications/\d+$"))
    shots(counter, f"bl-counter-recorded-{viewport['width']}")
    fits(counter)
    # recorded, but acceptance is impossible: the plugin's reasons are on the page
    expect(counter.get_by_role("button", name="受理并出具回执")).to_be_disabled()
    body = counter.locator("body")
    expect(body).to_contain_text("材料不齐，不能受理")
    expect(body).to_contain_text("尚缺：经营场所使用证明")
    expect(body).to_contain_text("须提交以自己的劳动收入为主要生活来源的证明")
    expect(body).not_to_contain_text("premises_proof")
    counter.get_by_role("button", name="出具一次性补正告知书").click()
    expect(body).to_contain_text("已出具一次性补正告知书")
    expect(body).to_contain_text("经营场所使用证明：请提交经营场所使用证明，或签署住所（经营场所）承诺书代替")
    expect(body).to_contain_text("劳动收入证明：经营者现为17周岁")
    expect(counter.get_by_role("link", name="打印一次性补正告知书")).to_be_visible()
    shots(counter, f"bl-counter-notice-{viewport['width']}")
