"""Deciding a legal-aid case from the generic approval page (and the core API), as approver1
did in the walk-through (issue 21): 认领 → 批准 with 批准后立即出证 reports success, and the
letters are the Legal Aid Law's, never a 准予/不予行政许可决定书."""
import re

from core import approval
from core.people import tokens


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"u:{user.id}:0"
        sess["_fresh"] = True
    return client


def flashes(html: str) -> list[str]:
    return [f"{kind}: {text}" for kind, text in re.findall(r'<p class="flash flash-(\w+)">(.*?)</p>', html, re.S)]


def test_claim_then_approve_and_issue_reports_success(app, la):
    case = la.accepted()
    client = signed_in(app, la.w.approver)
    page = client.get(f"/approvals/applications/{case.id}").get_data(as_text=True)
    client.post(f"/approvals/applications/{case.id}/claim", data={"csrf_token": csrf_from(page)})
    page = client.get(f"/approvals/applications/{case.id}").get_data(as_text=True)
    assert "批准后立即出证" in page
    done = client.post(f"/approvals/applications/{case.id}/approve",
                       data={"csrf_token": csrf_from(page), "issue": "y", "reasons": ""},
                       follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert flashes(html) == ["success: 已批准并出证"]
    assert "不能出证" not in html and "已出证”，不能" not in html
    assert la.app(case.id).state == "issued"


def test_a_grant_gets_the_legal_aid_letter_and_no_licensing_letter(la):
    case = la.accepted()
    approval.claim(la.quanke, la.w.approver, case.id)
    approval.approve_and_issue(la.quanke, la.w.approver, case.id)
    assert la.app(case.id).state == "issued"
    assert la.documents(case.id, "decision_approve") == []           # not an administrative licence
    grant = la.documents(case.id, "certificate")
    assert [d.status for d in grant] == ["valid"]
    assert grant[0].summary["kind_label"] == "给予法律援助决定书"


def test_a_refusal_gets_the_legal_aid_letter_and_no_licensing_letter(la):
    case = la.accepted(household="本人,测试citizen,9000\n配偶,王某某,9000")
    approval.claim(la.quanke, la.w.approver, case.id)
    approval.reject(la.quanke, la.w.approver, case.id, reasons="家庭人均收入高于经济困难标准")
    assert la.documents(case.id, "decision_reject") == []
    assert [d.status for d in la.documents(case.id, "la_refusal")] == ["valid"]


def test_the_api_approves_and_issues_once(app, la):
    case = la.accepted()
    with la.quanke.db.session() as s:
        header = {"Authorization": "Bearer " + tokens.create_token(s, la.w.approver, name="test")}
    client = app.test_client()
    assert client.post(f"/api/v1/applications/{case.id}/claim", headers=header).status_code == 200
    r = client.post(f"/api/v1/applications/{case.id}/approve", json={"issue": True}, headers=header)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "issued"
