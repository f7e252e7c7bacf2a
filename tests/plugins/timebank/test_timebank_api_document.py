"""The time-bank API and its OpenAPI description agree (issue 22 #9): the probe's valid
``POST /timebank/loans`` is accepted, a body the document calls malformed is refused with
400 naming the field, and the document lists what the body holds."""
from __future__ import annotations

import pytest

from core.people import tokens
from core.platform.models import User


@pytest.fixture
def web(tb, app):
    return app.test_client()


def _token(tb):
    with tb.quanke.db.session() as s:
        return {"Authorization": f"Bearer {tokens.create_token(s, s.get(User, tb.admin.id), name='t')}"}


def test_a_valid_loan_request_is_accepted(tb, web):
    elder = tb.person("独居老人", born="19400302", lives_alone=True)
    r = web.post("/api/v1/timebank/loans", headers=_token(tb),
                 json={"holder_id": elder, "minutes": 120, "reason": "每周助浴"})
    assert r.status_code == 201 and isinstance(r.get_json()["journal_id"], int)
    assert tb.balances(elder)["loan"] == -120
    also = web.post("/api/v1/timebank/loans", headers=_token(tb),
                    json={"holder_id": elder, "minutes": "1:30", "reason": "陪同就医"})
    assert also.status_code == 201 and tb.balances(elder)["loan"] == -210


@pytest.mark.parametrize("body, field", [
    ({"holder_id": "1", "minutes": 60, "reason": "助浴"}, "holder_id"),
    ({"holder_id": 1, "minutes": 60}, "reason"),
    ({"holder_id": 1, "minutes": 60, "reason": "助浴", "approved_by": "me"}, "approved_by"),
])
def test_malformed_loan_bodies_are_refused_naming_the_field(tb, web, body, field):
    elder = tb.person("独居老人", born="19400302", lives_alone=True)
    r = web.post("/api/v1/timebank/loans", headers=_token(tb), json=body)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_request"
    assert r.get_json()["field"] == field
    assert tb.balances(elder)["loan"] == 0


def test_the_document_describes_the_loan_body(tb, web):
    doc = web.get("/api/openapi.json").get_json()
    op = doc["paths"]["/api/v1/timebank/loans"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert op["requestBody"]["required"] is True
    assert schema["required"] == ["holder_id", "minutes", "reason"] and schema["additionalProperties"] is False
    assert "201" in op["responses"]
