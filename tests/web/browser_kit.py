"""Helpers the issue-17 browser walk-throughs share (test_browser_lawful_services, _aid_archive,
_ratings): labelled fields, the 390 px fit, a citizen signed in by SMS, the demo district's
staff and citizens, PDFs as text, and work that must run off Playwright's event loop."""
from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor

from pypdf import PdfReader
from sqlalchemy import select

from core.ops.demo import CITIZENS
from core.people import applicants
from core.platform.models import User

from .test_browser_e2e import PHONE


def field(page, label: str):
    """The input labelled exactly ``label`` (a required field's label ends with ``*``)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def fits(page) -> None:
    """Nothing sticks out to the right (a 390 px phone shows the whole width)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def citizen_page(browser, live, viewport, phone):
    from core.people.sms_login import MemorySmsSender
    page = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE,
                               has_touch=viewport is PHONE).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live}/portal/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(MemorySmsSender.last_code(phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/portal/$"))
    return page


def users_of(quanke):
    with quanke.db.session() as s:
        return {u.username: u for u in s.scalars(select(User)).unique()}


def demo_applicant(quanke, index):
    with quanke.db.session() as s:
        return applicants.find(s, "person", CITIZENS[index][2])


def off_the_loop(work):
    """Run ``work`` in a thread of its own: Playwright's sync API keeps an asyncio loop running
    in the test's thread, and sealing a PDF (pyhanko) starts one of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
