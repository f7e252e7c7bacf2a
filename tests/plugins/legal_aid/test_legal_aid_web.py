"""The centre's pages and the JSON API: login, roles, CSRF, errors as JSON, real actions."""
import re

import pytest

from core.people import tokens
from plugins.legal_aid.domain import decisions


@pytest.fixture
def client(app, la):
    return app.test_client()


def login(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = f"u:{user.id}"
        sess["_fresh"] = True


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def token_for(la, user) -> dict:
    with la.quanke.db.session() as s:
        return {"Authorization": "Bearer " + tokens.create_token(s, user, name="test")}


def test_pages_need_a_login_and_a_legal_aid_role(client, la):
    assert client.get("/legal-aid/cases").status_code in (302, 401)
    login(client, la.w.counter)
    assert client.get("/legal-aid/cases").status_code == 403
    assert client.get("/legal-aid/stats").status_code == 403


def test_case_list_case_page_and_a_decision_with_csrf(client, la):
    app = la.accepted()
    login(client, la.w.approver)
    listing = client.get("/legal-aid/cases?status=pending")
    assert listing.status_code == 200 and app.receipt_no in listing.get_data(as_text=True)
    page = client.get(f"/legal-aid/cases/{app.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "作出决定" in html and "第四十三条" in html and "2490.00" in html
    assert client.post(f"/legal-aid/cases/{app.id}/decide", data={"grant": "yes"}).status_code == 400  # no CSRF
    assert la.app(app.id).state == "accepted"
    done = client.post(f"/legal-aid/cases/{app.id}/decide", data={"grant": "yes", "csrf_token": csrf_from(html)})
    assert done.status_code == 302
    assert la.app(app.id).state == "issued"
    html = client.get(f"/legal-aid/cases/{app.id}").get_data(as_text=True)
    assert "给予法律援助决定书" in html and "决定给予后指派" in html


def test_a_refused_action_shows_the_reason_and_changes_nothing(client, la):
    app = la.accepted(household="本人,测试citizen,9000")
    login(client, la.w.approver)
    html = client.get(f"/legal-aid/cases/{app.id}").get_data(as_text=True)
    client.post(f"/legal-aid/cases/{app.id}/decide", data={"grant": "yes", "csrf_token": csrf_from(html)})
    html = client.get(f"/legal-aid/cases/{app.id}").get_data(as_text=True)
    assert "不符合给予法律援助的条件" in html and la.app(app.id).state == "accepted"


def test_stats_roster_and_standards_pages(client, la):
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    login(client, la.w.lead)
    stats = client.get("/legal-aid/stats").get_data(as_text=True)
    assert "按事项类别" in stats and "请求确认劳动关系或者支付劳动报酬" in stats and "甲律师" in stats
    roster = client.get("/legal-aid/lawyers")
    assert roster.status_code == 200 and "13201201010000011" in roster.get_data(as_text=True)
    page = client.get("/legal-aid/standards").get_data(as_text=True)
    bad = client.post("/legal-aid/standards", data={
        "csrf_token": csrf_from(page),
        "file": (__import__("io").BytesIO(b"area_code,effective_from,monthly_per_head\n320000,bad,1\n"), "s.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 200 and "第 2 行" in bad.get_data(as_text=True)


def test_api_lists_details_and_decides_with_a_token(client, la):
    app = la.accepted()
    headers = token_for(la, la.w.approver)
    listing = client.get("/api/v1/legal_aid/cases", headers=headers).get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == app.id
    detail = client.get(f"/api/v1/legal_aid/cases/{app.id}", headers=headers).get_json()
    assert detail["assessment"]["outcome"] == "eligible" and detail["decide_by"]
    bad = client.post(f"/api/v1/legal_aid/cases/{app.id}/decision", headers=headers, json={"grant": "yes"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_field"
    done = client.post(f"/api/v1/legal_aid/cases/{app.id}/decision", headers=headers, json={"grant": True})
    assert done.status_code == 200 and done.get_json()["status"] == "granted"
    assert done.get_json()["assignments"][0]["status"] == "active"
    stats = client.get("/api/v1/legal_aid/stats", headers=headers).get_json()
    assert stats["by_category"][0]["granted"] == 1 and stats["decision_time"]["decided"] == 1


def test_api_errors_are_json_with_the_right_status(client, la):
    app = la.accepted()
    assert client.get("/api/v1/legal_aid/cases").status_code == 401
    assert client.get("/api/v1/legal_aid/cases", headers={"Authorization": "Bearer nope"}).status_code == 401
    counter = token_for(la, la.w.counter)
    denied = client.post(f"/api/v1/legal_aid/cases/{app.id}/decision", headers=counter, json={"grant": True})
    assert denied.status_code == 403 and denied.get_json()["error"] == "forbidden_role"
    bureau = token_for(la, la.bureau)
    missing = client.get("/api/v1/legal_aid/cases/999999", headers=bureau)
    assert missing.status_code == 404 and "不存在" in missing.get_json()["message"]
    bad = client.post(f"/api/v1/legal_aid/cases/{app.id}/termination", headers=token_for(la, la.w.approver),
                      json={"reason": "whatever", "facts": "x", "found_on": "2026-01-01"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_termination_reason"


def test_api_session_writes_need_the_csrf_header(client, la):
    app = la.accepted()
    login(client, la.w.approver)
    refused = client.post(f"/api/v1/legal_aid/cases/{app.id}/decision", json={"grant": True})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf_failed"
    token = csrf_from(client.get(f"/legal-aid/cases/{app.id}").get_data(as_text=True))
    done = client.post(f"/api/v1/legal_aid/cases/{app.id}/decision", json={"grant": True},
                       headers={"X-CSRFToken": token})
    assert done.status_code == 200


def test_menu_links_only_for_legal_aid_staff(la):
    def mine(user):
        return [link["label"] for link in la.quanke.plugins.collect("menu_links", user=user)
                if link["href"].startswith("/legal-aid")]
    assert mine(la.w.counter) == []
    labels = mine(la.w.approver)
    assert "法律援助案件" in labels and "法律援助律师名册" in labels


def test_the_applicant_objects_online(client, la):
    app = la.accepted(household="本人,测试citizen,9000")
    decisions.decide(la.quanke, la.w.approver, app.id, grant=False, reasons="")
    with client.session_transaction() as sess:
        sess["_user_id"] = f"c:{la.w.other_citizen.id}"
    assert client.get(f"/legal-aid/my/{app.id}/objection").status_code == 404   # not theirs
    with client.session_transaction() as sess:
        sess["_user_id"] = f"c:{la.w.citizen.id}"
    page = client.get(f"/legal-aid/my/{app.id}/objection")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "不予法律援助决定书" in html and "第四十九条" in html
    client.post(f"/legal-aid/my/{app.id}/objection", data={"grounds": "配偶已失业", "csrf_token": csrf_from(html)})
    html = client.get(f"/legal-aid/my/{app.id}/objection").get_data(as_text=True)
    assert "区司法局审查中" in html
    assert la.audit("la_objection_lodged", app.id)[0].actor == f"citizen:{la.w.citizen.id}"
    # and the portal menu leads there
    with client.application.test_request_context():
        links = la.quanke.plugins.collect("menu_links", user=la.w.citizen)
    assert {"href": f"/legal-aid/my/{app.id}/objection", "label": "法律援助异议"} in links


def test_dashboard_panel_counts_grants_waiting_for_a_lawyer(client, la):
    from sqlalchemy import select
    from plugins.legal_aid.domain import roster
    from plugins.legal_aid.models import Lawyer
    with la.quanke.db.session() as s:
        for lawyer in s.scalars(select(Lawyer)):
            roster.set_active(s, lawyer.id, active=False, actor="test", reason="测试")
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    with client.application.test_request_context():
        panels = [p for p in la.quanke.plugins.collect("dashboard_panels", quanke=la.quanke, user=la.w.approver)
                  if "法律援助" in p["title"]]
        counter_panels = la.quanke.plugins.collect("dashboard_panels", quanke=la.quanke, user=la.w.counter)
    assert all("法律援助" not in p["title"] for p in counter_panels)
    assert panels[0]["value"] == 1 and "第四十三条" in panels[0]["title"]


def test_the_service_guide_says_seven_calendar_days_wherever_it_is_shown(client, la):
    """Art. 43 says 七日: the portal guide (the core's clock summary, the plugin's guide and
    its time-limit line) shows 7日, never 7个工作日."""
    service = la.quanke.service("legal_aid.application")
    assert "7日内" in service.legal_clock.summary() and "工作日" not in service.legal_clock.summary()
    assert "7日内（自然日）" in service.guide["time_limit"] and "工作日" not in service.guide["time_limit"]
    with client.session_transaction() as sess:
        sess["_user_id"] = f"c:{la.w.citizen.id}"
        sess["_fresh"] = True
    html = client.get("/portal/services/legal_aid.application").get_data(as_text=True)
    assert "自收到申请之日起7日内" in html and "7日内（自然日" in html
    assert "7个工作日" not in html and "七个工作日" not in html
    assert "第二十五条" in html and "通知辩护" in html   # the guide covers criminal legal aid




def test_an_api_client_back_dating_an_application_gets_a_stable_error(client, la):
    """The core's REST API: application_date in form_data → 400 receipt_date_not_allowed, no row."""
    from core.platform.models import Application
    form = {"category": "labour", "opposing_party": "某公司", "matter": "工资被拖欠三个月，共一万二千元。",
            "incident_date": "2026-05-01", "household": "本人,测试citizen,1800", "savings": "0",
            "application_date": "2026-01-01"}
    body = {"service_code": "legal_aid.application", "applicant_id": la.w.citizen.applicant_id,
            "form_data": form, "paper": ["applicant_id", "case_materials", "income_proof"], "consent": True}
    before = la.count(Application)
    r = client.post("/api/v1/applications", json=body, headers=token_for(la, la.w.counter))
    assert r.status_code == 400 and r.get_json()["error"] == "receipt_date_not_allowed"
    assert "系统" in r.get_json()["message"] and "第四十三条" in r.get_json()["message"]
    form.pop("application_date")
    r = client.post("/api/v1/applications", json={**body, "form_data": {**form, "area_code": "110101"}},
                    headers=token_for(la, la.w.counter))
    assert r.status_code == 400 and r.get_json()["error"] == "area_code_not_allowed"
    assert la.count(Application) == before
    ok = client.post("/api/v1/applications", json={**body, "form_data": form}, headers=token_for(la, la.w.counter))
    assert ok.status_code == 201


@pytest.mark.parametrize("english", [False, True])
def test_the_check_evidence_names_the_review_path_not_its_code(client, la, english):
    """Issue 21: a notification's check showed 名单版本 "notification"; the path is named with
    the articles it rests on, in both languages."""
    app = la.notified()
    login(client, la.w.approver)
    if english:
        client.get("/lang/en")
    page = client.get(f"/approvals/applications/{app.id}").get_data(as_text=True)
    assert not re.search(r">\s*(notification|art32|art42|art24_other)\s*<", page)   # a bare code as a value
    label = "Assigned on the handling organ&#39;s notification" if english else "办案机关通知指派"
    assert label in page
