"""The REST API: token auth, every action, JSON errors, pagination, idempotency, OpenAPI."""
from __future__ import annotations

import base64

from openapi_spec_validator import validate
from sqlalchemy import func, select

from core.testing import drive_to

PDF = b"%PDF-1.4\n" + b"x" * 100


def test_openapi_document_validates(web):
    doc = web.test_client().get("/api/openapi.json").get_json()
    validate(doc)
    rules = {r.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
             for r in web.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    documented = set(doc["paths"])
    assert rules == documented, rules ^ documented


def test_token_required(api):
    r = api(None, "get", "/api/v1/me")
    assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
    r = api(None, "get", "/api/v1/me", headers={"Authorization": "Bearer qk_wrong"})
    assert r.status_code == 401
    assert api("counter", "get", "/api/v1/me").get_json()["roles"] == ["counter"]


def test_services_search_and_pagination(api):
    r = api("counter", "get", "/api/v1/services?q=slxk").get_json()
    assert [s["code"] for s in r["items"]] == ["sample.permit"]
    r = api("counter", "get", "/api/v1/services?per_page=1&page=1").get_json()
    assert r["per_page"] == 1 and len(r["items"]) == 1 and r["total"] >= 1
    bad = api("counter", "get", "/api/v1/services?per_page=1000")
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_pagination"
    assert api("counter", "get", "/api/v1/services/sample.permit").get_json()["materials"][0]["code"] == "id_proof"
    assert api("counter", "get", "/api/v1/services/nope.x").status_code == 404


def test_full_flow_over_the_api(api, world):
    assert api("counter", "get", "/api/v1/applicants?id_number=x").get_json()["items"] == []
    made = api("counter", "post", "/api/v1/applicants",
               json={"kind": "person", "id_number": "110105194912310020", "name": "API测试"})
    assert made.status_code == 400 and made.get_json()["error"] == "invalid_resident_id"
    from core.ops.demo import valid_resident_id
    made = api("counter", "post", "/api/v1/applicants",
               json={"kind": "person", "id_number": valid_resident_id("11010519491231002"), "name": "API测试"})
    assert made.status_code == 201
    applicant_id = made.get_json()["id"]
    body = {"service_code": "sample.permit", "applicant_id": applicant_id, "form_data": {"purpose": "接口办理"},
            "uploads": [{"material_code": "id_proof", "filename": "id.pdf",
                         "content_base64": base64.b64encode(PDF).decode()}], "consent": True}
    r = api("counter", "post", "/api/v1/applications", json=body, headers={"Idempotency-Key": "api-1"})
    assert r.status_code == 201, r.get_json()
    app = r.get_json()
    assert app["state"] == "submitted" and "*" in app["applicant"]["id_number"]
    again = api("counter", "post", "/api/v1/applications", json=body, headers={"Idempotency-Key": "api-1"})
    assert again.get_json()["id"] == app["id"]
    aid = app["id"]
    checks = api("counter", "get", f"/api/v1/applications/{aid}/checks").get_json()
    assert checks["items"][0]["outcome"] == "pass"
    assert api("counter", "post", f"/api/v1/applications/{aid}/accept", json={}).get_json()["state"] == "accepted"
    assert api("approver", "get", "/api/v1/queues/sample_dept").get_json()["counts"]["waiting"] == 1
    assert api("approver", "post", f"/api/v1/applications/{aid}/claim").get_json()["state"] == "in_review"
    lost = api("approver2", "post", f"/api/v1/applications/{aid}/claim")
    assert lost.status_code == 409 and lost.get_json()["error"] == "already_claimed"
    done = api("approver", "post", f"/api/v1/applications/{aid}/approve", json={"reasons": "ok", "issue": True})
    assert done.get_json()["state"] == "issued"
    docs = api("approver", "get", f"/api/v1/applications/{aid}/documents").get_json()["items"]
    assert {d["kind"] for d in docs} >= {"receipt"}
    delivered = api("counter_b", "post", f"/api/v1/applications/{aid}/deliver",
                    json={"method": "pickup", "recipient_id_number": valid_resident_id("11010519491231002")})
    assert delivered.get_json()["state"] == "delivered"
    tl = api("auditor", "get", f"/api/v1/applications/{aid}/timeline").get_json()["items"]
    assert [e["action"] for e in tl][-1] == "deliver"
    due = api("approver", "get", f"/api/v1/applications/{aid}/due-date").get_json()
    assert due["lines"]


def test_errors_are_json_with_codes(api, world):
    app = drive_to(world, "submitted")
    r = api("counter", "post", f"/api/v1/applications/{app.id}/refuse", json={"reasons": ""})
    assert r.status_code == 400 and r.get_json() == {"error": "reasons_required", "message": "请填写不予受理的理由",
                                                    "field": "reasons"}
    r = api("counter", "post", f"/api/v1/applications/{app.id}/accept", data="not json",
            content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_json"
    r = api("counter", "post", f"/api/v1/applications/{app.id}/extend", json={"days": "x", "reason": 1})
    assert r.status_code == 400
    assert api("counter", "get", "/api/v1/applications/999999").status_code == 404
    assert api("counter", "get", "/api/v1/nothing-here").get_json()["error"] == "not_found"
    assert api("counter", "delete", f"/api/v1/applications/{app.id}").status_code == 405
    assert api("approver", "post", f"/api/v1/applications/{app.id}/accept", json={}).status_code == 404
    accepted = drive_to(world, "accepted")  # the back office sees it now, but may not accept
    r = api("approver", "post", f"/api/v1/applications/{accepted.id}/accept", json={})
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden_role"


def test_list_applications_is_scoped(api, world):
    app = drive_to(world, "submitted")
    assert [a["id"] for a in api("counter", "get", "/api/v1/applications").get_json()["items"]] == [app.id]
    assert api("counter_b", "get", "/api/v1/applications").get_json()["items"] == []
    assert api("approver_other", "get", "/api/v1/applications").get_json()["total"] == 0
    assert api("counter_b", "get", f"/api/v1/applications/{app.id}").status_code == 404


def test_reveal_is_audited_and_limited(api, world):
    app = drive_to(world, "accepted")
    full = api("approver", "get", f"/api/v1/applications/{app.id}?reveal=true").get_json()
    assert "*" not in full["applicant"]["id_number"]
    assert api("centre_admin", "get", f"/api/v1/applications/{app.id}?reveal=true").status_code == 403
    from core.platform.audit import AuditEvent
    with world.quanke.db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "view_personal_data")) == 1


def test_tickets_stats_audit_follow_ups(api, world):
    assert api("counter", "post", "/api/v1/tickets", json={}).get_json()["number"] == "A001"
    assert api("counter", "get", "/api/v1/tickets").get_json()["items"][0]["number"] == "A001"
    assert api("counter", "post", "/api/v1/tickets/call", json={"window": "2"}).get_json()["ticket"]["number"] == "A001"
    assert api("sys_admin", "get", "/api/v1/stats").status_code == 200
    assert api("sys_admin", "get", "/api/v1/stats?start=2026-13-01").status_code == 400
    assert api("auditor", "get", "/api/v1/audit/verify").get_json()["ok"] is True
    assert api("auditor", "get", "/api/v1/audit?staff=t_counter").get_json()["total"] >= 1
    app = drive_to(world, "accepted")
    r = api("acceptor", "post", f"/api/v1/applications/{app.id}/rating", json={"level": 2, "comment": "慢"})
    assert r.status_code == 201
    items = api("centre_admin", "get", "/api/v1/follow-ups").get_json()["items"]
    assert items and items[0]["level"] == 2
    closed = api("centre_admin", "post", f"/api/v1/follow-ups/{items[0]['id']}/close", json={"resolution": "已回访"})
    assert closed.get_json()["status"] == "closed"


def test_a_long_list_says_its_count_stops_at_the_cap(api, world, monkeypatch):
    import web.api.plumbing
    for _ in range(3):
        drive_to(world, "submitted")
    full = api("counter", "get", "/api/v1/applications?per_page=1").get_json()
    assert full["total"] == 3 and full["total_capped"] is False
    monkeypatch.setattr(web.api.plumbing, "COUNT_CAP", 2)  # a district's million, in miniature
    capped = api("counter", "get", "/api/v1/applications?per_page=1&page=3").get_json()
    assert capped["total"] == 2 and capped["total_capped"] is True
    assert len(capped["items"]) == 1                 # paging itself is not limited


def test_form_errors_name_the_field_by_its_label(api, world):
    body = {"service_code": "sample.permit", "applicant_id": world.citizen.applicant_id,
            "form_data": {"purpose": ""}, "paper": ["id_proof"], "consent": True}
    r = api("counter", "post", "/api/v1/applications", json=body)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_form"
    details = r.get_json()["details"]
    assert details["fields"]["purpose"] == ["请填写用途"]
    assert details["labels"]["purpose"] == "用途"       # what the form shows, for any client


def test_flashed_form_errors_use_labels_not_codes(web):
    from flask import get_flashed_messages

    from core.platform.errors import InvalidInput
    from web.helpers import flash_error
    with web.test_request_context("/"):
        flash_error(InvalidInput("申请表填写有误", code="invalid_form",
                                 details={"fields": {"premises_proof": ["请提交经营场所使用证明"],
                                                     "trade_name": ["字号已被登记"]},
                                          "labels": {"trade_name": "字号"}}))
        shown = get_flashed_messages()
    assert shown == ["申请表填写有误", "请提交经营场所使用证明", "字号：字号已被登记"]
    assert not any("premises_proof" in m or "trade_name" in m for m in shown)
