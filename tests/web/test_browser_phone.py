"""Phone layouts (issue 21) in a real browser at 390×844: wide tables become cards whose cells
carry their column's label, top tabs and menus scroll or wrap, and no page is wider than the
screen (``document.scrollingElement.scrollWidth <= innerWidth``).

Screenshots go to ``QUANKE_SHOTS_DIR`` (default: a temporary folder) for a person to look at.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from core.ops.demo import CITIZENS, DEMO_PASSWORD, load_demo
from core.people.sms_login import MemorySmsSender

from .test_browser_e2e import ARGS, CHROMIUM, PHONE

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

#: What is wider than the screen: the page, and the elements sticking out on the right.
OVERFLOW_JS = """() => {
  const w = 390, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0 && !el.parentElement.closest('[data-wide]')) {
      el.setAttribute('data-wide', '1');
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
               + ' ' + Math.round(r.right) + ' ' + (el.textContent || '').trim().slice(0, 30));
    }
  }
  return {scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth, wide: out.slice(0, 6)};
}"""
#: The label a card cell shows: its ::before content (from data-label), and the cell's width.
LABEL_JS = """(cell) => ({label: getComputedStyle(cell, '::before').content,
                  width: cell.getBoundingClientRect().width,
                  valueLeft: cell.getBoundingClientRect().left})"""


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("QUANKE_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def district(quanke):
    """The whole demonstration district, plugins' data included, on a live server."""
    quanke.config["SMS_SENDER"] = "memory"
    MemorySmsSender.sent.clear()
    load_demo(quanke)
    from web import create_app
    server = make_server("127.0.0.1", 0, create_app(quanke=quanke), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _phone(browser):
    return browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()


def staff_on_phone(browser, base: str, username: str):
    page = _phone(browser)
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def citizen_on_phone(browser, base: str, phone: str):
    page = _phone(browser)
    page.goto(f"{base}/portal/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(MemorySmsSender.last_code(phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/portal/$"))
    return page


def fits(page) -> dict:
    return page.evaluate(OVERFLOW_JS)


def assert_fits(page, shots, name: str) -> None:
    """No horizontal overflow at 390 px (the mobile browser would otherwise zoom out: then
    ``innerWidth`` grows past 390 too), and a screenshot for a person to look at."""
    found = fits(page)
    shots(page, name)
    assert found["scroll"] <= PHONE["width"] and found["inner"] == PHONE["width"], (page.url, found)


def assert_card_cell(page, selector: str, label: str) -> None:
    """A table cell reads as a card line: its column's label beside it, the whole width."""
    cell = page.locator(selector).first
    expect(cell).to_be_visible()
    shown = cell.evaluate(LABEL_JS)
    assert shown["label"] == f'"{label}"', shown
    assert shown["width"] > PHONE["width"] * 0.7, shown  # not a one-character column


STAFF_PAGES = {
    "admin": ["/admin/users", "/admin/audit", "/admin/centres", "/stats"],
    "counter1": ["/counter/", "/counter/queue", "/counter/pickup", "/counter/my-ratings"],
    "approver1": ["/approvals/", "/timebank/admin", "/timebank/admin/people", "/timebank/admin/requests",
                  "/timebank/admin/ledger", "/timebank/admin/supermarket", "/timebank/admin/cash",
                  "/timebank/admin/interbank", "/timebank/admin/stars", "/timebank/admin/teams",
                  "/timebank/admin/kinds", "/timebank/admin/reports", "/legal-aid/cases", "/legal-aid/lawyers",
                  "/legal-aid/standards", "/legal-aid/stats", "/archive/search", "/archive/settings",
                  "/business_license/registry", "/business_license/supervision",
                  "/business_license/inspections", "/business_license/joint"],
}


def _someone_looked_up(quanke, id_number: str, times: int = 3) -> None:
    """Staff searched the archive for this person: rows in their access log."""
    from core.platform.models import User
    from plugins.archive_query.domain.access import log_empty_search
    with quanke.db.session() as s:
        who = s.scalars(select(User).where(User.username == "approver1")).one()
        for i in range(times):
            log_empty_search(s, who=who, id_number=id_number, category="", channel="search_page",
                             purpose=f"核对婚姻状况（第{i + 1}次）")


def _citizen_with_ledger(quanke) -> str:
    """A demo time-bank member with movements, signed up for the portal; returns the phone."""
    from core.platform.models import Citizen
    from plugins.timebank.models.ledger import Account, Movement
    from plugins.timebank.models.people import Holder
    with quanke.db.session() as s:
        holder = s.scalars(select(Holder).join(Account, Account.holder_id == Holder.id)
                           .join(Movement, Movement.account_id == Account.id)
                           .where(Holder.kind == "person", Holder.applicant_id.is_not(None))
                           .order_by(Holder.id).limit(1)).first()
        phone = "13800009999"
        s.add(Citizen(phone=phone, name=holder.name, applicant_id=holder.applicant_id))
    return phone


def _holder_with_ledger(quanke) -> int:
    from plugins.timebank.models.ledger import Account, Movement
    with quanke.db.session() as s:
        return s.scalar(select(Account.holder_id).join(Movement, Movement.account_id == Account.id)
                        .where(Account.holder_id.is_not(None)).order_by(Account.holder_id).limit(1))


def test_staff_pages_fit_a_phone(district, browser, shots):
    for user, paths in STAFF_PAGES.items():
        page = staff_on_phone(browser, district, user)
        for path in paths:
            page.goto(district + path)
            assert_fits(page, shots, f"phone-{user}-{path.strip('/').replace('/', '-')}")
        page.context.close()


def test_the_menu_folds_on_a_phone_and_wraps_when_opened(district, browser, shots):
    page = staff_on_phone(browser, district, "approver1")
    page.goto(f"{district}/legal-aid/cases")
    fold = page.locator("details.menu-fold")
    summary = fold.locator("summary")
    expect(summary).to_contain_text("菜单 · 法律援助案件")
    expect(fold.get_by_role("link", name="档案检索")).to_be_hidden()
    summary.click()
    links = fold.locator("a")
    expect(fold.get_by_role("link", name="档案检索")).to_be_visible()
    rights = links.evaluate_all("els => els.map(e => e.getBoundingClientRect().right)")
    assert len(rights) > 15 and max(rights) <= PHONE["width"], rights  # wrapped, none cut off
    assert_fits(page, shots, "phone-menu-open")
    # At a desk the menu is the sidebar, always open, without the fold's summary.
    desk = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    desk.goto(f"{district}/login")
    desk.get_by_label("用户名").fill("approver1")
    desk.get_by_label("密码").fill(DEMO_PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.goto(f"{district}/legal-aid/cases")
    expect(desk.locator("details.menu-fold summary")).to_be_hidden()
    expect(desk.locator(".sidebar").get_by_role("link", name="档案检索")).to_be_visible()
    shots(desk, "desktop-menu-open")


def test_tables_become_cards_with_their_labels(district, browser, quanke, shots):
    page = staff_on_phone(browser, district, "approver1")
    page.goto(f"{district}/legal-aid/cases")
    assert_card_cell(page, "table.cards tbody td:nth-child(3)", "事项类别")
    holder = _holder_with_ledger(quanke)
    page.goto(f"{district}/timebank/admin/holders/{holder}")
    assert_card_cell(page, "table.cards tbody td[data-label='余额']", "余额")
    assert_fits(page, shots, "phone-timebank-holder-ledger")


def test_citizen_pages_fit_a_phone(district, browser, quanke, shots):
    _someone_looked_up(quanke, CITIZENS[0][2])
    citizen = citizen_on_phone(browser, district, CITIZENS[0][0])
    for path in ["/portal/", "/portal/applications", "/portal/services", "/timebank/me"]:
        citizen.goto(district + path)
        assert_fits(citizen, shots, f"phone-citizen-{path.strip('/').replace('/', '-')}")
    citizen.goto(f"{district}/portal/archive/access-log")
    expect(citizen.locator("body")).to_contain_text("核对婚姻状况（第3次）")
    assert_card_cell(citizen, "table.cards tbody td[data-label='查看人']", "查看人")
    assert_card_cell(citizen, "table.cards tbody td[data-label='事由']", "事由")
    assert_fits(citizen, shots, "phone-citizen-archive-access-log")
    # The time-bank ledger of a member: one card per movement.
    member = citizen_on_phone(browser, district, _citizen_with_ledger(quanke))
    member.goto(f"{district}/timebank/me")
    assert_card_cell(member, "table.cards tbody td[data-label='发生额']", "发生额")
    assert_fits(member, shots, "phone-citizen-timebank-ledger")


