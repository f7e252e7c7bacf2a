"""Issue 17 §2, §3 and §5 in a real browser (Debian's chromium via Playwright).

Screenshots go to ``QUANKE_SHOTS_DIR`` (default: a temporary folder) for a person to look at.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from core import acceptance, approval
from core.ops.demo import CITIZENS, valid_resident_id
from core.platform.models import Document

from .test_browser_e2e import CHROMIUM, DESKTOP, PHONE, browser, live, staff  # noqa: F401 - fixtures
from .browser_kit import citizen_page, demo_applicant, field, fits, off_the_loop, pdf_text, users_of
from .test_browser_lawful import shots  # noqa: F401 - fixture

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


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
    scopes = counter.get_by_role("group", name="经营范围")   # the searchable checkbox list
    counter.get_by_role("searchbox", name="筛选经营范围").fill("百货")
    scopes.get_by_label("日用百货销售").check()
    field(counter, "资金数额（元）").fill("20000")
    counter.locator("#f-phone").fill("13900000017")
    counter.locator('input[name="mat-operator_id"]').check()   # the ID card, nothing else
    counter.get_by_label(re.compile("申请人当面同意由我代为填报")).check()
    shots(counter, f"bl-counter-form-{viewport['width']}")
    expect(counter.get_by_text("个体工商户名称", exact=True)).to_have_count(0)  # composed, not typed
    counter.get_by_role("button", name="登记并核查").click()
    counter.wait_for_url(re.compile(r"/counter/applications/\d+$"))
    shots(counter, f"bl-counter-recorded-{viewport['width']}")
    fits(counter)
    # recorded, but acceptance is impossible: the plugin's reasons are on the page
    expect(counter.get_by_role("button", name="受理并出具回执")).to_be_disabled()
    body = counter.locator("body")
    expect(body).to_contain_text("材料不齐，不能受理")
    expect(body).to_contain_text("尚缺：经营场所使用证明、劳动收入证明")
    expect(body).to_contain_text("须提交以自己的劳动收入为主要生活来源的证明")
    expect(body).not_to_contain_text("premises_proof")
    counter.get_by_role("button", name="出具一次性补正告知书").click()
    expect(body).to_contain_text("已出具一次性补正告知书")
    expect(body).to_contain_text("经营场所使用证明：请提交经营场所使用证明，或签署住所（经营场所）承诺书代替")
    expect(body).to_contain_text("劳动收入证明：经营者现为17周岁")
    expect(counter.get_by_role("link", name="打印一次性补正告知书")).to_be_visible()
    shots(counter, f"bl-counter-notice-{viewport['width']}")


# -- §2 holidays of a provisional year --------------------------------------------------------

def _accepted_on_1_february_2027(quanke):
    """Filed and accepted at the counter on Mon 1 Feb 2027: 5 working days run into 春节."""
    beijing = dt.timezone(dt.timedelta(hours=8))
    users, person = users_of(quanke), demo_applicant(quanke, 0)
    app = acceptance.file_application(quanke, users["counter1"], service_code="sample.permit",
                                      applicant_id=person.id, form_data={"purpose": "春节庙会临时摊位"},
                                      paper=["id_proof"], consent=True, consent_text="申请人当面同意")
    return acceptance.accept(quanke, users["counter1"], app.id,
                             at=dt.datetime(2027, 2, 1, 10, tzinfo=beijing))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_provisional_year_warned_then_loaded_and_the_applicant_sees_the_new_due_date(
        live, browser, quanke, shots, monkeypatch, tmp_path, viewport):
    from core.ops.holidays import apply_holiday_file
    from core.deadlines.statutory import statutory_holidays
    monkeypatch.setattr("core.platform.clock.today", lambda moment=None: dt.date(2026, 11, 2))
    admin = staff(browser, live, "admin")
    admin.goto(f"{live}/admin/stats")
    warning = admin.get_by_test_id("calendar-warning")
    expect(warning).to_contain_text("2027年的节假日安排尚未载入")
    expect(warning).to_contain_text("quanke calendar load")
    shots(admin, "calendar-warning-admin")
    monkeypatch.setattr("core.platform.clock.today", lambda moment=None: dt.date(2026, 10, 30))
    admin.reload()
    expect(admin.get_by_test_id("calendar-warning")).to_have_count(0)   # not before 1 November
    monkeypatch.undo()

    app = _accepted_on_1_february_2027(quanke)
    assert app.due_date == dt.date(2027, 2, 10)       # 2, 3, 4, (5–8 春节), 9, 10
    citizen = citizen_page(browser, live, viewport, CITIZENS[0][0])
    citizen.goto(f"{live}/portal/applications/{app.id}")
    expect(citizen.locator("body")).to_contain_text("2027-02-10")
    citizen.get_by_text("办结期限怎么计算").click()
    explained = citizen.get_by_test_id("due-explained")
    expect(explained).to_contain_text("2027年节假日安排尚未公布，期限暂按")
    expect(explained).to_contain_text("跳过：2027年2月5日至2027年2月8日 春节")
    shots(citizen, f"calendar-provisional-due-{viewport['width']}")
    # the State Council's arrangement arrives: 9–11 Feb off too, 20 Feb a make-up Saturday
    rows = {day: ("holiday", name) for day, name in statutory_holidays(2027).items()}
    rows.update({dt.date(2027, 2, d): ("holiday", "春节") for d in (9, 10, 11)})
    rows[dt.date(2027, 2, 20)] = ("workday", "春节调休")
    official = tmp_path / "2027.csv"
    official.write_text("date,type,name\n" + "".join(
        f"{day.isoformat()},{kind},{name}\n" for day, (kind, name) in sorted(rows.items())), encoding="utf-8")
    assert apply_holiday_file(quanke, official).official_years == [2027]
    citizen.reload()
    expect(citizen.locator("body")).to_contain_text("2027-02-15")
    expect(citizen.locator("body")).not_to_contain_text("2027-02-10")
    expect(citizen.locator("body")).to_contain_text("重新计算期限")
    shots(citizen, f"calendar-official-due-{viewport['width']}")
    fits(citizen)

# -- §5 the register, the food filing and a broken commitment (staff pages: desktop) ---------

def _form(applicant, **overrides):
    form = {"trade_name": "", "industry": "", "name_form": "", "operator_name": applicant.name,
            "operator_id_number": applicant.id_number,
            "operator_residence": "江苏省南京市玄武区长江路12号3幢201室", "organisation_form": "individual",
            "street": "xinjiekou", "address": "中山路88号一层102室", "scopes": ["general_retail"],
            "capital": 50000, "employees": 1, "phone": "13900000001"}
    form.update(overrides)
    return form


NEW_HOME = "江苏省南京市玄武区珠江路100号2幢302室"


def _decided(quanke, users, app, approver="approver1"):
    if app.state == "submitted":
        acceptance.accept(quanke, users["counter1"], app.id)
    approval.claim(quanke, users[approver], app.id)
    approval.approve(quanke, users[approver], app.id)
    return approval.issue(quanke, users[approver], app.id)


def test_register_food_filing_and_a_broken_commitment(live, browser, quanke, shots):
    app, prepackaged = off_the_loop(lambda: _three_businesses(quanke))
    _walk_register_food_filing_and_rectification(live, browser, quanke, shots, app, prepackaged)


def _three_businesses(quanke):

    from plugins.business_license.domain import filing, supervision
    users = users_of(quanke)
    nameless, grocer, cook = (demo_applicant(quanke, i) for i in range(3))
    app = filing.file(quanke, users["counter1"], service_code="business_license.individual",
                      applicant_id=nameless.id, form_data=_form(nameless),
                      paper=["operator_id", "premises_proof"], consent=True, consent_text="当面同意")
    _decided(quanke, users, app)
    from plugins.business_license.domain.lookups import business_for_application
    with quanke.db.session() as s:
        code = business_for_application(s, app.id).credit_code
    _decided(quanke, users, filing.file(        # the operator moves house: a change registration
        quanke, users["counter1"], service_code="business_license.change", applicant_id=nameless.id,
        form_data={"credit_code": code, "change_residence": True, "operator_residence": NEW_HOME},
        paper=["change_application", "licence_original"], consent=True, consent_text="当面同意"))
    prepackaged = filing.file_joint(quanke, users["counter1"], applicant_id=grocer.id, consent=True,
                                    paper=["operator_id", "premises_proof"], form_data={
        **_form(grocer, trade_name="便民", industry="食品", name_form="店", phone="13900000002",
                scopes=["food_sales", "general_retail"]),
        "food_category": "food_sales", "food_items": ["prepackaged"], "food_area": 20,
        "food_safety_manager": "王经理"})
    prepackaged = filing.accept_bundle(quanke, users["counter1"], prepackaged.bundle.reference)
    _decided(quanke, users, prepackaged.registration)
    restaurant = filing.file_joint(quanke, users["counter1"], applicant_id=cook.id, consent=True,
                                   paper=["operator_id", "premises_proof", "food_commitment", "layout_plan"],
                                   form_data={**_form(cook, trade_name="悦来", industry="面食", name_form="馆",
                                                      phone="13900000003", scopes=["catering"]),
                                              "premises": "中山路88号一层102室", "food_category": "catering",
                                              "food_items": ["hot", "drinks"], "food_area": 45,
                                              "food_safety_manager": "王师傅", "health_certified": 3,
                                              "food_commitment": True})
    restaurant = filing.accept_bundle(quanke, users["counter1"], restaurant.bundle.reference)
    _decided(quanke, users, restaurant.registration)
    _decided(quanke, users, restaurant.permit)
    supervision.daily_push(quanke)
    return app, prepackaged


def _walk_register_food_filing_and_rectification(live, browser, quanke, shots, app, prepackaged):
    from plugins.business_license.domain.lookups import business_for_application
    from plugins.business_license.models import CommitmentCase
    with quanke.db.session() as s:
        code = business_for_application(s, app.id).credit_code
    approver = staff(browser, live, "approver1")
    approver.set_default_timeout(10_000)
    approver.goto(f"{live}/business_license/registry/{code}")
    body = approver.locator("body")
    expect(body).to_contain_text("不是全国统一社会信用代码赋码系统赋予的")
    expect(body).to_contain_text("本地演示赋码")
    expect(body).to_contain_text(f"经营者住所：江苏省南京市玄武区长江路12号3幢201室 → {NEW_HOME}")
    expect(body).not_to_contain_text("operator_residence")
    shots(approver, "bl-nameless-business")
    # the licence itself: no name line, the operator's (new) residence printed
    with quanke.db.session() as s:
        licence = s.scalars(select(Document).where(Document.application_id == app.id,
                                                   Document.kind == "certificate")).one().id
    text = pdf_text(approver.request.get(f"{live}/documents/{licence}.pdf").body())
    assert "经营者住所" in text and "珠江路100号" in text and "名　　称" not in text

    # prepackaged food only: a 备案 with its own receipt, no permit
    counter = staff(browser, live, "counter1")
    counter.set_default_timeout(10_000)
    counter.goto(f"{live}/business_license/bundles/{prepackaged.bundle.reference}")
    expect(counter.locator("body")).to_contain_text("食品经营备案（仅销售预包装食品）")
    expect(counter.locator("body")).to_contain_text("本项不办理食品经营许可")
    expect(counter.locator("main, body").first).not_to_contain_text(re.compile(r"状态 issued|（UTC）"))
    receipt = counter.get_by_role("link", name="食品经营备案凭证")
    shots(counter, "bl-food-filing")
    text = pdf_text(counter.request.get(live + receipt.get_attribute("href")).body())
    assert "食品经营备案凭证" in text and "第三十五条" in text

    # the inspector finds the commitment broken: an order with a deadline, nothing revoked yet
    inspector = staff(browser, live, "inspector1")
    inspector.set_default_timeout(10_000)
    inspector.goto(f"{live}/business_license/inspections")
    shots(inspector, "bl-inspections")
    task = inspector.locator("section.card", has_text="告知承诺核查 · 南京市玄武区悦来面食馆")
    task.get_by_role("radio", name=re.compile("^不符合承诺条件")).check()
    task.get_by_label(re.compile("^整改期限")).fill((dt.date.today() + dt.timedelta(days=15)).isoformat())
    task.get_by_label(re.compile("^核查情况")).fill("后厨未设冷藏设施，与承诺的设施设备条件不符")
    task.get_by_role("button", name="登记结果").click()
    expect(inspector.locator("body")).to_contain_text("核查结果已登记")
    inspector.goto(f"{live}/business_license/inspections?status=rectifying")
    task = inspector.locator("section.card", has_text="告知承诺核查 · 南京市玄武区悦来面食馆")
    expect(task.get_by_role("link", name=re.compile("责令限期整改通知书"))).to_be_visible()
    shots(inspector, "bl-rectification-order")
    with quanke.db.session() as s:   # as if the period had run out
        s.execute(update(CommitmentCase).values(deadline=dt.date.today() - dt.timedelta(days=1)))
    inspector.reload()
    task.get_by_role("radio", name=re.compile("^逾期未整改")).check()
    task.get_by_label(re.compile("^核查情况")).fill("复查时仍未配备冷藏设施")
    task.get_by_role("button", name="登记结果").click()
    expect(inspector.locator("body")).to_contain_text("核查结果已登记")
    inspector.goto(f"{live}/business_license/inspections?status=all")
    task = inspector.locator("section.card", has_text="告知承诺核查 · 南京市玄武区悦来面食馆")
    expect(task).to_contain_text("违反承诺·已处理")
    guidance = "（依据《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号））"
    for letter in ("责令限期整改通知书", "整改复查意见书", "处理决定"):
        expect(task).to_contain_text(letter + guidance)
    shots(inspector, "bl-revoked")
    decision = task.get_by_role("link", name="处理决定")
    text = pdf_text(inspector.request.get(live + decision.get_attribute("href")).body())
    assert "撤销食品经营许可决定书" in text and "逾期未整改" in text
