"""End to end in a real browser (Debian's chromium driven by Playwright).

1. A citizen takes a queue ticket; a counter worker calls it, files and accepts; an approver
   claims and approves; a worker at a *different* centre hands the certificate over.
2. A citizen applies remotely, gets a one-time correction notice, uploads what was missing and
   is accepted.

Runs against the demonstration district (realistic names) on a live server; with
``QUANKE_SCREENSHOTS=1`` it also refreshes docs/screenshots/.
"""
from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from core.platform.clock import today as local_today  # 北京时间: the service day, not the machine's UTC date
from core.ops.demo import CITIZENS, DEMO_PASSWORD, load_demo
from core.platform.models import Application, State
from core.people.sms_login import MemorySmsSender

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SAVE = os.environ.get("QUANKE_SCREENSHOTS") == "1"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def shot(page, name: str, *, full: bool = False) -> None:
    """Save a screenshot (PNG, palette-reduced to stay small) when asked to."""
    if not SAVE:
        return
    from PIL import Image
    SHOTS.mkdir(parents=True, exist_ok=True)
    raw = page.screenshot(full_page=full)
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    if full and image.height > 2200:
        image = image.crop((0, 0, image.width, 2200))
    image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    path = SHOTS / f"{name}.png"
    image.save(path, optimize=True)
    assert path.stat().st_size < 200_000, f"{path} is {path.stat().st_size} bytes"


def demo_district(quanke, monkeypatch) -> None:
    """The demonstration district's centres, staff and citizens (core part of load_demo),
    with a few applications of the sample service so lists are not empty."""
    import datetime as dt

    from core.ops import demo
    from core import acceptance, approval
    from core.platform.models import User
    monkeypatch.setattr(demo, "_demo_applications", lambda *a, **k: 0)
    monkeypatch.setattr(quanke.plugins.pm.hook, "demo_data", lambda **k: [])
    load_demo(quanke)
    with quanke.db.session() as s:
        users = {u.username: u for u in s.scalars(select(User)).unique()}
        from core.platform.models import Citizen
        people = [c.applicant_id for c in s.scalars(select(Citizen).order_by(Citizen.id))]
    purposes = ["社区活动场地使用", "开办家政服务点", "夜市临时摊位", "小区充电桩安装"]
    for i, purpose in enumerate(purposes):
        worker = users["counter2" if i % 2 else "counter1"]
        app = acceptance.file_application(quanke, worker, service_code="sample.permit",
                                        applicant_id=people[i % len(people)], form_data={"purpose": purpose},
                                        paper=["id_proof"], consent=True, consent_text="申请人当面同意")
        acceptance.accept(quanke, worker, app.id)
        if i == 1:
            approval.claim(quanke, users["approver2"], app.id)
        if i == 2:
            with quanke.db.session() as s:
                row = s.get(Application, app.id)
                row.due_date, row.overdue = local_today() - dt.timedelta(days=2), True


@pytest.fixture
def live(quanke, monkeypatch):
    """The demonstration district on a live server; yields its base URL."""
    quanke.config["SMS_SENDER"] = "memory"
    MemorySmsSender.sent.clear()
    demo_district(quanke, monkeypatch)
    from web import create_app
    app = create_app(quanke=quanke)
    server = make_server("127.0.0.1", 0, app, threaded=True)
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


def staff(browser, base: str, username: str):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def state_of(quanke, app_id: int) -> str:
    with quanke.db.session() as s:
        return s.get(Application, app_id).state


def test_ticket_accept_approve_handover_elsewhere(live, browser, quanke):
    base = live
    # 1. the citizen takes a number at the kiosk of 新街口街道便民服务中心 (S01)
    kiosk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    kiosk.goto(f"{base}/queue/S01")
    kiosk.get_by_label("办理事项（选填）").select_option(label="示例许可")
    shot(kiosk, "kiosk-take-number")
    kiosk.get_by_role("button", name="取号").click()
    number = kiosk.locator(".ticket-now").inner_text().strip()
    assert number == "A001"
    shot(kiosk, "kiosk-number")

    # 2. the counter worker calls it, finds the applicant, files and accepts
    login_page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    login_page.goto(f"{base}/login")
    shot(login_page, "staff-login")
    counter = staff(browser, base, "counter1")
    counter.goto(f"{base}/counter/queue")
    counter.get_by_label("窗口号").fill("3")
    counter.get_by_role("button", name="叫下一位").click()
    assert "A001" in counter.locator(".ticket-now").inner_text()
    shot(counter, "counter-queue")
    counter.goto(f"{base}/counter/")
    shot(counter, "counter-home")
    _phone, name, id_number = CITIZENS[0]
    counter.goto(f"{base}/counter/applicant")
    counter.get_by_label("证件号码").fill(id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))
    expect(counter.locator("#id-status")).to_contain_text("校验位")
    counter.get_by_label("证件号码").fill(id_number)
    expect(counter.locator("#id-status")).to_contain_text("号码有效")
    shot(counter, "counter-applicant-id-check")
    counter.get_by_role("button", name="查找 / 登记").click()
    counter.get_by_label("事项名称、关键词或拼音首字母").fill("slxk")
    counter.get_by_role("button", name="搜索").click()
    counter.get_by_role("link", name="办理").first.click()
    counter.get_by_label("用途").fill("开办社区便民服务点")
    counter.locator('input[name="mat-id_proof"]').check()
    counter.get_by_label(re.compile("申请人当面同意由我代为填报")).check()
    shot(counter, "counter-apply-form", full=True)
    counter.get_by_role("button", name="登记并核查").click()
    counter.wait_for_url(re.compile(r"/counter/applications/\d+$"))
    app_id = int(counter.url.rsplit("/", 1)[1])
    assert "用途正常" in counter.content()
    shot(counter, "counter-checks-before-accept")
    counter.get_by_role("button", name="受理并出具回执").click()
    counter.wait_for_load_state()
    assert state_of(quanke, app_id) == State.ACCEPTED.value
    shot(counter, "counter-accepted")
    with quanke.db.session() as s:
        receipt = s.get(Application, app_id).receipt_no

    # 3. the approver claims and approves (certificate issued at once)
    approver = staff(browser, base, "approver1")
    approver.goto(f"{base}/approvals/sample_dept")
    assert receipt in approver.content()
    shot(approver, "approver-queue")
    approver.get_by_role("link", name=receipt).click()
    approver.get_by_role("button", name="认领").click()
    approver.wait_for_load_state()
    assert state_of(quanke, app_id) == State.IN_REVIEW.value
    shot(approver, "approver-application", full=True)
    approver.get_by_label("审查意见（选填）").fill("材料齐全，符合条件")
    approver.get_by_role("button", name="批准", exact=True).click()
    approver.wait_for_load_state()
    assert state_of(quanke, app_id) == State.ISSUED.value

    # 4. a worker at a different centre (梅园街道, S02) hands the certificate over
    other = staff(browser, base, "counter2")
    other.goto(f"{base}/counter/pickup")
    other.get_by_label("申请编号、受理编号或申请人身份证号").fill(receipt)
    other.get_by_role("button", name="查找").click()
    other.get_by_role("link", name="交付", exact=True).first.click()
    other.get_by_label("领取人身份证号（读卡或录入）").fill(id_number)
    other.get_by_label("领取人姓名").fill(name)
    shot(other, "counter-handover")
    other.get_by_role("button", name="核验并交付").click()
    other.wait_for_load_state()
    assert state_of(quanke, app_id) == State.DELIVERED.value
    # and the citizen rates the service on the second screen
    other.goto(f"{base}/counter/applications/{app_id}/rate")
    other.get_by_text("非常满意").click()
    shot(other, "counter-rating-screen")
    other.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in other.content()


def test_remote_application_correction_then_accepted(live, browser, quanke):
    base = live
    phone, name, id_number = CITIZENS[0]
    citizen = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    citizen.goto(f"{base}/portal/login")
    citizen.get_by_label("手机号码").fill(phone)
    citizen.get_by_role("button", name="获取验证码").click()
    code = MemorySmsSender.last_code(phone)
    assert code
    citizen.get_by_label("短信验证码").fill(code)
    shot(citizen, "portal-login")
    citizen.get_by_role("button", name="登录").click()
    citizen.wait_for_url(re.compile(r"/portal/$"))
    citizen.goto(f"{base}/portal/services")
    shot(citizen, "portal-services")
    citizen.goto(f"{base}/portal/services/sample.permit")
    shot(citizen, "portal-guide", full=True)
    citizen.get_by_role("link", name="在线申请").first.click()
    citizen.get_by_label("用途").fill("申请网上办理示例许可")
    shot(citizen, "portal-apply", full=True)
    citizen.get_by_role("button", name="提交申请").click()
    citizen.wait_for_url(re.compile(r"/portal/applications/\d+$"))
    app_id = int(citizen.url.rsplit("/", 1)[1])
    assert state_of(quanke, app_id) == State.SUBMITTED.value

    # the counter pre-reviews the online application: one notice listing every gap
    counter = staff(browser, base, "counter1")
    counter.goto(f"{base}/counter/")
    with quanke.db.session() as s:
        number = s.get(Application, app_id).number
    counter.get_by_role("link", name=number).click()
    expect(counter.get_by_text("材料不齐，不能受理")).to_be_visible()  # the return form is open
    shot(counter, "counter-remote-prereview", full=True)
    counter.get_by_role("button", name="出具一次性补正告知书").click()
    counter.wait_for_load_state()
    assert state_of(quanke, app_id) == State.CORRECTION_REQUESTED.value

    # the citizen uploads the missing material from the phone
    citizen.reload()
    assert "一次性补正告知" in citizen.content()
    citizen.locator('input[name="file-id_proof"]').set_input_files(
        {"name": "身份证明.pdf", "mimeType": "application/pdf", "buffer": PDF})
    shot(citizen, "portal-correction", full=True)
    citizen.get_by_role("button", name="上传并提交补正").click()
    citizen.wait_for_load_state()
    assert state_of(quanke, app_id) == State.SUBMITTED.value

    counter.reload()
    counter.get_by_role("button", name="受理并出具回执").click()
    counter.wait_for_load_state()
    assert state_of(quanke, app_id) == State.ACCEPTED.value
    citizen.reload()
    assert "已受理" in citizen.content()
    shot(citizen, "portal-application-accepted", full=True)


def test_admin_statistics_audit_pages(live, browser, quanke):
    """The admin side renders in the browser: statistics with charts, users, follow-ups, audit."""
    from core.acceptance import ratings
    from core.platform.models import Citizen
    with quanke.db.session() as s:
        app = s.scalars(select(Application).where(Application.state == State.ACCEPTED.value)
                        .order_by(Application.id)).first()
        citizen = s.scalar(select(Citizen).where(Citizen.id == app.citizen_id))
        ratings.rate(quanke, s, citizen, app.id, level=2, comment="排队时间太长")
    base = live
    admin = staff(browser, base, "admin")
    admin.goto(f"{base}/admin/stats")
    assert admin.locator("svg.chart").count() >= 6
    shot(admin, "admin-stats", full=True)
    admin.goto(f"{base}/admin/users")
    shot(admin, "admin-users")
    admin.get_by_role("link", name="counter1").click()
    shot(admin, "admin-user-edit")
    centre_admin = staff(browser, base, "centreadmin")
    centre_admin.goto(f"{base}/admin/follow-ups")
    assert "排队时间太长" in centre_admin.content()
    shot(centre_admin, "admin-follow-ups")
    auditor = staff(browser, base, "auditor")
    auditor.goto(f"{base}/admin/audit")
    assert "审计链完整" in auditor.content()
    shot(auditor, "audit-log")
    citizen_page = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True).new_page()
    citizen_page.goto(f"{base}/portal/login")
    phone = CITIZENS[1][0]
    citizen_page.get_by_label("手机号码").fill(phone)
    citizen_page.get_by_role("button", name="获取验证码").click()
    citizen_page.get_by_label("短信验证码").fill(MemorySmsSender.last_code(phone))
    citizen_page.get_by_role("button", name="登录").click()
    citizen_page.goto(f"{base}/portal/appointments")
    shot(citizen_page, "portal-appointments", full=True)
    english = staff(browser, base, "counter1")
    english.goto(f"{base}/lang/en?next=/counter/")
    assert "Counter workbench" in english.content()
    shot(english, "counter-home-english")
