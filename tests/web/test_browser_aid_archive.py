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
from .browser_kit import citizen_page, demo_applicant, field, fits, off_the_loop, pdf_text

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def _counter_apply(browser, live, viewport, quanke, index, service_code):
    counter = staff(browser, live, "counter1")
    counter.set_viewport_size(viewport)
    counter.set_default_timeout(10_000)
    person = demo_applicant(quanke, index)
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


# -- §6 archive query at the counter ------------------------------------------------------------

def _marriage_on_file(quanke, husband, wife) -> None:
    from plugins.archive_query.domain.categories import CATEGORIES
    from plugins.archive_query.domain.importer import import_rows
    row = {c: "" for c in CATEGORIES["marriage"].columns} | {
        "fonds_no": "T001", "file_no": "00001", "item_no": "", "record_date": "2015-06-01",
        "issuing_body": "玄武区民政局", "remarks": "馆内备注不外传", "male_id_number": husband.id_number,
        "male_name": husband.name, "female_id_number": wife.id_number, "female_name": wife.name,
        "registration_type": "结婚登记", "certificate_no": "宁玄结字第001号"}
    report = import_rows(quanke, CATEGORIES["marriage"], [(2, row)], source="test", actor="test")
    assert report.error_count == 0, report.errors


def _approved_and_issued(quanke, app_id) -> None:
    from core import approval

    from .browser_kit import users_of
    users = users_of(quanke)
    approval.claim(quanke, users["approver1"], app_id)
    approval.approve(quanke, users["approver1"], app_id, reasons="近亲属关系证明充分")
    approval.issue(quanke, users["approver1"], app_id)


def _archive_form(counter, subject, basis, purpose):
    field(counter, "档案类别").select_option("marriage")
    field(counter, "档案当事人姓名").fill(subject.name)
    field(counter, "档案当事人身份证号").fill(subject.id_number)
    field(counter, "查询依据").select_option(basis)
    field(counter, "查询用途").fill(purpose)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_archive_deceased_relatives_marriage_record_and_a_lawyer_without_a_case_document(
        live, browser, quanke, shots, viewport):
    husband, wife = demo_applicant(quanke, 0), demo_applicant(quanke, 2)
    _marriage_on_file(quanke, husband, wife)
    # 李四, the elder brother of the late 张三, asks for his marriage record for the inheritance
    counter = _counter_apply(browser, live, viewport, quanke, 1, "archive_query.query")
    _archive_form(counter, husband, "deceased_relative", "办理继承公证")
    counter.get_by_label(re.compile("近亲属关系")).select_option("sibling")
    for material in ("applicant_id", "death_certificate", "kinship_proof"):
        counter.locator(f'input[name="mat-{material}"]').check()
    counter.get_by_label(re.compile("申请人当面同意由我代为填报")).check()
    shots(counter, f"aq-counter-relative-form-{viewport['width']}")
    counter.get_by_role("button", name="登记并核查").click()
    counter.wait_for_url(re.compile(r"/counter/applications/\d+$"))
    app_id = int(counter.url.rsplit("/", 1)[1])
    body = counter.locator("body")
    expect(body).to_contain_text("申请人是档案当事人的兄弟姐妹")
    expect(body).to_contain_text("第一千零四十五条")
    counter.get_by_label("提示事项的受理理由").fill("已核对死亡证明和户籍证明，申请人系当事人之兄")
    counter.get_by_role("button", name="受理并出具回执").click()
    expect(body).to_contain_text("已受理")
    off_the_loop(lambda: _approved_and_issued(quanke, app_id))
    counter.reload()
    shots(counter, f"aq-counter-relative-issued-{viewport['width']}")
    fits(counter)
    from sqlalchemy import select

    from core.platform.models import Document
    with quanke.db.session() as s:
        doc = s.scalars(select(Document).where(Document.application_id == app_id,
                                               Document.kind == "certificate")).one()
    text = "".join(pdf_text(counter.request.get(f"{live}/documents/{doc.id}.pdf").body()).split())
    assert "查询人是档案当事人的兄弟姐妹（近亲属，《民法典》第一千零四十五条）" in text
    assert f"男方{husband.name}（{husband.id_number}）" in text
    assert f"女方{wife.name}（{wife.id_number}）" in text

    # a lawyer with the firm's own letter only: filed, not accepted, the notice asks for the rest
    counter.goto(f"{live}/counter/applicants/{demo_applicant(quanke, 1).id}/apply/archive_query.query")
    _archive_form(counter, husband, "investigation", "离婚后财产纠纷诉讼取证")
    counter.get_by_label(re.compile("^调查人")).select_option("lawyer")
    field(counter, "案号").fill("（2026）苏0102民初1234号")
    for material in ("applicant_id", "investigation_letter"):
        counter.locator(f'input[name="mat-{material}"]').check()
    counter.get_by_label(re.compile("申请人当面同意由我代为填报")).check()
    counter.get_by_role("button", name="登记并核查").click()
    counter.wait_for_url(re.compile(r"/counter/applications/\d+$"))
    expect(counter.get_by_role("button", name="受理并出具回执")).to_be_disabled()
    shots(counter, f"aq-counter-lawyer-{viewport['width']}")
    expect(body).to_contain_text("缺少法院或案件文书：律师事务所调查函不能单独作为查询依据")
    expect(body).to_contain_text("尚缺：法院或案件文书")   # the notice's form is open
    counter.get_by_role("button", name="出具一次性补正告知书").click()
    expect(body).to_contain_text("已出具一次性补正告知书")
    expect(body).to_contain_text("法院或案件文书：")
    expect(body).to_contain_text("律师事务所调查函不能单独作为查询依据")
    shots(counter, f"aq-counter-lawyer-notice-{viewport['width']}")
    fits(counter)
