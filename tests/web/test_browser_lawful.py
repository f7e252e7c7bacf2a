"""The lawful rules and 首问负责制 in a real browser (Debian's chromium via Playwright), at
1366×768 and 390×844: the approver sees each service's extension allowance with its article,
the due-date explanation cites the statute, a service whose statute allows no extension offers
none, and the counter records an enquiry in seconds and finds it under 我首问的.

Screenshots go to ``QUANKE_SHOTS_DIR`` (default: a temporary folder) for a person to look at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from core.platform.models import Application

from .test_browser_e2e import CHROMIUM, DESKTOP, PHONE, browser, live, staff  # noqa: F401 - fixtures

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("QUANKE_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _accepted(quanke):
    with quanke.db.session() as s:
        return s.scalars(select(Application).where(Application.state == "accepted")
                         .order_by(Application.id)).first()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_approver_sees_the_statute_behind_every_number(live, browser, quanke, shots, viewport):
    app = _accepted(quanke)
    lead = staff(browser, live, "lead1")
    lead.set_viewport_size(viewport)
    lead.goto(f"{live}/approvals/applications/{app.id}")
    expect(lead.locator("body")).to_contain_text("依据：办理时限 5个工作日：《中华人民共和国行政许可法》第四十二条")
    lead.get_by_text("延长期限 / 分派（部门负责人）").click()
    allowance = lead.get_by_test_id("extension-allowance")
    expect(allowance).to_contain_text("可延长一次，最多10个工作日，由部门负责人批准（《中华人民共和国行政许可法》第四十二条）")
    shots(lead, f"approver-legal-clock-{viewport['width']}")
    # a lead asking for more than the statute allows gets the reason on the page, nothing changes
    lead.get_by_label("延长天数（个工作日，最多 10）").fill("11")
    lead.get_by_label("延长理由").fill("情形复杂")
    lead.locator("form[action$='/extend'] button").click()
    expect(lead.locator("body")).to_contain_text("延长天数应为1至10个工作日")
    with quanke.db.session() as s:
        assert s.get(Application, app.id).extension_days == 0

    # the same page for an application under the Legal Aid Law's clock: no extension at all
    with quanke.db.session() as s:
        row = s.get(Application, app.id)
        row.clock_rule = quanke.service("legal_aid.application").legal_clock.to_record()
    lead.goto(f"{live}/approvals/applications/{app.id}")
    lead.get_by_text("延长期限 / 分派（部门负责人）").click()
    expect(lead.get_by_test_id("extension-allowance")).to_contain_text("本事项不得延长办理期限")
    expect(lead.locator("form[action$='/extend']")).to_have_count(0)
    shots(lead, f"approver-no-extension-{viewport['width']}")


def test_counter_records_an_enquiry_and_sees_its_first_contacts(live, browser, quanke, shots):
    counter = staff(browser, live, "counter1")
    counter.goto(f"{live}/counter/")
    counter.get_by_label("咨询内容").fill("开小吃店要先办营业执照还是食品经营许可？")
    counter.get_by_label("当场答复").fill("可证照联办，一次提交")
    counter.get_by_role("button", name="登记", exact=True).click()
    expect(counter.locator("body")).to_contain_text("咨询已登记并答复")
    table = counter.get_by_test_id("first-contacts")
    expect(table).to_contain_text("开小吃店要先办营业执照还是食品经营许可")
    expect(table).to_contain_text("已答复")
    shots(counter, "counter-first-contacts")
    # the case filed by counter1: owner shown, handover offered
    app = _accepted(quanke)
    counter.goto(f"{live}/counter/applications/{app.id}")
    expect(counter.get_by_test_id("owner")).not_to_be_empty()
    shots(counter, "counter-owner")
