"""The legal-aid API and its OpenAPI description agree (issue 22 #9): valid requests are
accepted, a body the document calls malformed is refused with 400 naming the field and
nothing is changed, and the document lists every route with what its body holds."""
from __future__ import annotations

import pytest

from core.people import tokens
from plugins.legal_aid.models import Lawyer


@pytest.fixture
def client(app, la):
    return app.test_client()


def token_for(la, user) -> dict:
    with la.quanke.db.session() as s:
        return {"Authorization": "Bearer " + tokens.create_token(s, user, name="test")}


def _lawyers(la) -> int:
    with la.quanke.db.session() as s:
        return s.query(Lawyer).count()


def test_valid_requests_are_accepted(client, la):
    before = _lawyers(la)
    r = client.post("/api/v1/legal_aid/lawyers", headers=token_for(la, la.w.lead),
                    json={"name": "丙律师", "licence_no": "13201201010000099", "firm": "某律师事务所",
                          "phone": None, "max_active": 5})
    assert r.status_code == 201 and r.get_json()["licence_no"] == "13201201010000099"
    assert r.get_json()["max_active"] == 5 and _lawyers(la) == before + 1
    app = la.accepted()
    done = client.post(f"/api/v1/legal_aid/cases/{app.id}/decision", headers=token_for(la, la.w.approver),
                       json={"grant": True, "reasons": None})
    assert done.status_code == 200 and done.get_json()["state"] == "issued"
    stats = client.get("/api/v1/legal_aid/stats?start=2026-01-01&end=", headers=token_for(la, la.w.lead))
    assert stats.status_code == 200 and stats.get_json()["start"] == "2026-01-01"


@pytest.mark.parametrize("body, field, code", [
    ({"licence_no": "13201201010000099", "firm": "某所"}, "name", "invalid_request"),        # missing
    ({"name": "丙", "licence_no": "13201201010000099", "firm": "某所", "rank": 1}, "rank", "invalid_request"),
    ({"name": "丙", "licence_no": "13201201010000099", "firm": "某所", "max_active": "5"}, "max_active",
     "invalid_field"),                                                                         # wrong type
    ({"name": "丙", "licence_no": "13201201010000099", "firm": "所" * 129}, "firm", "invalid_field"),
])
def test_malformed_bodies_are_refused_naming_the_field(client, la, body, field, code):
    before = _lawyers(la)
    r = client.post("/api/v1/legal_aid/lawyers", headers=token_for(la, la.w.lead), json=body)
    assert r.status_code == 400 and r.get_json()["error"] == code and r.get_json()["field"] == field
    assert _lawyers(la) == before


def test_a_malformed_decision_or_query_changes_nothing(client, la):
    app = la.accepted()
    r = client.post(f"/api/v1/legal_aid/cases/{app.id}/decision", headers=token_for(la, la.w.approver),
                    json={"grant": True, "reasons": "x" * 4001})
    assert r.status_code == 400 and r.get_json()["field"] == "reasons" and la.app(app.id).state == "accepted"
    q = client.get("/api/v1/legal_aid/cases?per_page=abc", headers=token_for(la, la.w.approver))
    assert q.status_code == 400 and q.get_json()["field"] == "per_page"


def test_the_document_lists_the_routes_and_their_bodies(client, la):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/cases", "/cases/{app_id}", "/cases/{app_id}/decision", "/cases/{app_id}/urgent",
                 "/cases/{app_id}/assignment", "/cases/{app_id}/reassignment", "/cases/{app_id}/termination",
                 "/cases/{app_id}/objections", "/objections/{objection_id}/decision",
                 "/objections/{objection_id}/correction", "/lawyers", "/lawyers/{lawyer_id}/conflicts",
                 "/standards", "/stats"):
        assert "/api/v1/legal_aid" + path in paths, path
    op = paths["/api/v1/legal_aid/cases/{app_id}/termination"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert op["requestBody"]["required"] is True and schema["additionalProperties"] is False
    assert schema["required"] == ["reason", "facts", "found_on"] and "fraud" in schema["properties"]["reason"]["enum"]
    assert "201" in op["responses"]
    names = {p["name"] for p in paths["/api/v1/legal_aid/cases"]["get"]["parameters"]}
    assert {"status", "category", "q", "page", "per_page"} <= names


def test_schemathesis_finds_no_disagreement_with_the_centre_token(app, la):
    """The suite's probe calls legal aid with a counter token (mostly 403); here the centre
    (approver) and the roster keeper (lead) call it, on an accepted case."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parents[2] / "web"))
    from test_api_schemathesis_strict import _summary, run_schema
    la.accepted()
    for user in (la.w.approver, la.w.lead):
        with la.quanke.db.session() as s:
            token = tokens.create_token(s, user, name="probe")
        operations, failures = run_schema(app, {"acceptor": token}, lambda p: p.startswith("/api/v1/legal_aid"))
        assert operations >= 15
        assert not failures, _summary(failures)
