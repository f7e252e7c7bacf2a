"""The probe's requests (issue 22 #9): malformed bodies are refused with 400 naming the field
(before anything is looked up or changed), unknown fields included; undeclared methods such as
TRACE answer 405 with the Allow header; an id past the 32-bit limit is a 404, not a 405."""
from __future__ import annotations

import pytest

from core import acceptance
from core.testing import drive_to, snapshot


def bearer(api_tokens, who="acceptor"):
    return {"Authorization": f"Bearer {api_tokens[who]}"}


def _good_body(world):
    return {"service_code": "sample.permit", "applicant_id": world.citizen.applicant_id,
            "form_data": {"purpose": "严格校验"}, "consent": True, "paper": ["id_proof"]}


@pytest.mark.parametrize("change, field", [
    ({"applicant_id": "1"}, "applicant_id"),                 # a string for an integer
    ({"consent": "yes"}, "consent"),
    ({"delivery_method": "drone"}, "delivery_method"),       # outside the enum
    ({"uploads": [{"material_code": "id_proof", "content_base64": "not base64!"}]}, "uploads.0.content_base64"),
    ({"delivery_methd": "courier"}, "delivery_methd"),       # misspelt: unknown field
])
def test_malformed_post_applications_is_400_and_files_nothing(web, world, api_tokens, change, field):
    client = web.test_client()
    r = client.post("/api/v1/applications", json={**_good_body(world), **change}, headers=bearer(api_tokens))
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"] == "invalid_request" and r.get_json()["field"] == field
    assert client.get("/api/v1/applications", headers=bearer(api_tokens)).get_json()["total"] == 0
    ok = client.post("/api/v1/applications", json=_good_body(world), headers=bearer(api_tokens))
    assert ok.status_code == 201                             # the well-formed one is accepted


def test_malformed_patch_accept_and_ticket_bodies_are_400(web, world, api_tokens):
    client = web.test_client()
    draft = acceptance.file_application(world.quanke, world.citizen, service_code="sample.permit",
                                        applicant_id=world.citizen.applicant_id,
                                        form_data={"purpose": "网上"}, submit=False)
    before = snapshot(world.quanke, draft.id)
    r = client.patch(f"/api/v1/applications/{draft.id}", json={"consent": True, "colour": "red"},
                     headers=bearer(api_tokens, "counter"))
    assert r.status_code == 400 and r.get_json()["field"] == "colour"
    assert snapshot(world.quanke, draft.id) == before
    submitted = drive_to(world, "submitted")
    r = client.post(f"/api/v1/applications/{submitted.id}/accept", json={"warn_reason": ["x"]},
                    headers=bearer(api_tokens))
    assert r.status_code == 400 and r.get_json()["field"] == "warn_reason"
    assert client.get(f"/api/v1/applications/{submitted.id}", headers=bearer(api_tokens)).get_json()["state"] == "submitted"
    r = client.post("/api/v1/tickets", json={"centre": 5}, headers=bearer(api_tokens, "counter"))
    assert r.status_code == 400 and r.get_json() == {"error": "invalid_request", "field": "centre",
                                                     "message": r.get_json()["message"]}
    r = client.post("/api/v1/tickets/call", json={"window": None}, headers=bearer(api_tokens, "counter"))
    assert r.status_code == 400 and r.get_json()["field"] == "window"


def test_trace_is_405_with_allow_and_huge_ids_are_404(web, api_tokens):
    client = web.test_client()
    for path, allowed in (("/api/v1/applications", {"GET", "POST"}), ("/api/v1/applications/1", {"GET", "PATCH"}),
                          ("/api/v1/timebank/loans", {"POST"})):
        r = client.open(path, method="TRACE", headers=bearer(api_tokens))
        assert r.status_code == 405 and r.get_json()["error"] == "method_not_allowed"
        assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}
    r = client.patch("/api/v1/applications/1002126279531", json={}, headers=bearer(api_tokens))
    assert r.status_code == 404
    assert client.get("/api/v1/applicants/0/portraits", headers=bearer(api_tokens)).status_code == 404


def test_unknown_query_parameters_are_refused_where_the_document_lists_them(web, api_tokens):
    client = web.test_client()
    r = client.get("/api/v1/applications?stat=submitted", headers=bearer(api_tokens))   # for state=
    assert r.status_code == 400 and r.get_json()["field"] == "stat"
    assert client.get("/api/v1/applications?state=submitted", headers=bearer(api_tokens)).status_code == 200


def test_every_real_day_is_a_valid_date_and_an_impossible_one_is_refused(web, api_tokens):
    """The document's date pattern once stopped at the 28th: a month-end statistics query was refused."""
    client = web.test_client()
    token = {"Authorization": f"Bearer {api_tokens['sys_admin']}"}
    for start, end in (("2026-01-31", "2026-03-31"), ("2028-02-29", "2028-04-30")):
        r = client.get(f"/api/v1/stats?start={start}&end={end}", headers=token)
        assert r.status_code == 200, r.get_json()
    for impossible in ("2026-02-29", "2026-04-31", "2026-13-01"):
        r = client.get(f"/api/v1/stats?start={impossible}", headers=token)
        assert r.status_code == 400 and r.get_json()["field"] == "start"
