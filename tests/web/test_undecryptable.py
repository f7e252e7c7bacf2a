"""A stored value that does not decrypt (a flipped byte, another deployment's key) stops the page
and the API with a message naming table, column and row — never a garbled value, never the
rest of the person's data (issue 18)."""
from __future__ import annotations

import base64

from sqlalchemy import text


def _tamper(world, column="id_number"):
    applicant_id = world.citizen.applicant_id
    with world.quanke.db.engine.begin() as c:
        token = c.execute(text(f"SELECT {column} FROM applicants WHERE id = :i"), {"i": applicant_id}).scalar()
        head, body = token.rsplit(":", 1)
        raw = bytearray(base64.b64decode(body))
        raw[20] ^= 0x01
        c.execute(text(f"UPDATE applicants SET {column} = :t WHERE id = :i"),
                  {"t": f"{head}:{base64.b64encode(bytes(raw)).decode()}", "i": applicant_id})
    return applicant_id


def test_the_counter_page_names_the_row_and_shows_nothing_else(as_user, world):
    applicant_id = _tamper(world)
    page = as_user("counter").get(f"/counter/applicants/{applicant_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 500
    assert f"applicants.id_number（第 {applicant_id} 行" in body and "认证失败" in body
    assert "13900000001" not in body and "139****0001" not in body


def test_the_api_answers_with_the_error_code_and_the_row(api, world):
    applicant_id = _tamper(world, "phone")
    response = api("counter", "get", f"/api/v1/applicants/{applicant_id}")
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"] == "ciphertext_tampered"
    assert body["details"] == {"column": "applicants.phone", "row": applicant_id, "key_version": 1}
