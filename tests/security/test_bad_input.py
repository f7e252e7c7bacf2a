"""Bad input is a clear 400, never a 500 (issue 22 #4, issue 23 #6): the probe's requests.

One parsing layer (core.platform.inputs, with web/inputs.py on every request): ASCII digits
only, bounded integers and dates, bounded JSON depth, control characters refused.
"""
from __future__ import annotations

import base64

import pytest

from core.platform import inputs
from core.platform.errors import InvalidInput
from core.testing import drive_to
from webtools import Browser, sign_in


@pytest.fixture
def tokens(web, world):
    from core.people.tokens import create_token
    from core.platform.models import User
    out = {}
    with world.quanke.db.session() as session:
        for key in ("counter", "approver", "centre_admin", "auditor"):
            out[key] = create_token(session, session.get(User, world.users[key].id), name="t")
    return out


@pytest.fixture
def api(web, tokens):
    client = web.test_client()

    def call(who, method, path, **kw):
        return getattr(client, method)(path, headers={"Authorization": f"Bearer {tokens[who]}"}, **kw)
    return call


def _clear_400(r, code=None):
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])
    body = r.get_json()
    assert body["message"] and (code is None or body["error"] == code), body
    return body


def test_nul_bytes_never_reach_postgres(api, world):
    _clear_400(api("counter", "get", "/api/v1/applicants?id_number=32010219900307123%00"))
    _clear_400(api("counter", "post", "/api/v1/tickets/call", json={"window": "A\x00"}), "control_characters")
    app = drive_to(world, "submitted")
    upload = {"material_code": "photo", "filename": "a\x00.pdf",
              "content_base64": base64.b64encode(b"%PDF-1.4\n" + b"x" * 64).decode()}
    r = api("counter", "post", f"/api/v1/applications/{app.id}/materials", json={"uploads": [upload]})
    _clear_400(r, "control_characters")


def test_nul_in_a_page_form_and_an_upload_name(web, world):
    client = web.test_client()
    sign_in(client, f"u:{world.users['counter'].id}")
    r = client.get("/counter/pickup?q=%00x")
    assert r.status_code == 400 and "控制字符" in r.get_data(as_text=True)
    app = drive_to(world, "submitted")
    import io
    r = Browser(client).post(f"/counter/applications/{app.id}/materials",
                             {"mat-photo": (io.BytesIO(b"%PDF-1.4\n" + b"x" * 64), "a\x00.pdf")},
                             content_type="multipart/form-data")
    assert r.status_code == 400 and "控制字符" in r.get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=²", "per_page=²", "page=٣", "per_page=2%C2%B2"])
def test_unicode_digits_in_pagination(api, query):
    _clear_400(api("counter", "get", f"/api/v1/applications?{query}"), "invalid_pagination")


def test_unicode_digits_and_huge_ids_elsewhere(api, world):
    _clear_400(api("approver", "get", "/api/v1/queues/sample_dept?centre_id=²"))
    _clear_400(api("approver", "get", f"/api/v1/queues/sample_dept?centre_id={2**40}"))
    _clear_400(api("approver", "get", f"/api/v1/queues/sample_dept?centre_id={2**63}"))
    for big in (2**40, 2**63):
        r = api("counter", "post", "/api/v1/applications",
                json={"service_code": "sample.permit", "applicant_id": big, "form": {}})
        _clear_400(r)
        assert api("counter", "get", f"/api/v1/applications/{big}").status_code == 404
    r = api("auditor", "get", f"/api/v1/audit?application={2**63}")
    assert r.status_code == 200
    r = api("auditor", "get", "/api/v1/audit?application=²")
    assert r.status_code in (200, 400)


def test_page_lists_with_unicode_digits(web, world):
    client = web.test_client()
    sign_in(client, f"u:{world.users['auditor'].id}")
    for url in ("/admin/audit?page=²", "/admin/audit?application=²", f"/admin/audit?application={2**63}"):
        assert client.get(url).status_code in (200, 400), url


def test_extend_days_unicode(web, world):
    app = drive_to(world, "in_review")
    client = web.test_client()
    sign_in(client, f"u:{world.users['lead'].id}")
    r = Browser(client).post(f"/approvals/applications/{app.id}/extend", {"days": "²", "reason": "测试"},
                             follow_redirects=True)
    assert r.status_code == 200 and "延长天数" in r.get_data(as_text=True)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "２０２６-01-01", "2026-1-1"])
def test_stats_dates_out_of_range(api, web, world, day):
    _clear_400(api("centre_admin", "get", f"/api/v1/stats?start={day}"))
    _clear_400(api("centre_admin", "get", f"/api/v1/stats?end={day}"))
    client = web.test_client()
    sign_in(client, f"u:{world.users['centre_admin'].id}")
    assert client.get(f"/admin/stats?start={day}&end={day}").status_code == 200


def test_json_nested_5000_deep(api):
    deep = "[" * 5000 + "]" * 5000
    r = api("counter", "post", "/api/v1/applicants", data='{"kind": ' + deep + "}",
            content_type="application/json")
    _clear_400(r, "json_too_deep")
    fine = '{"kind": "person", "name": "[[[[[[", "id_number": "1"}'   # brackets in strings do not count
    r = api("counter", "post", "/api/v1/applicants", data=fine, content_type="application/json")
    assert r.get_json()["error"] == "invalid_resident_id"


def test_plugin_parameters(web, world):
    """``limit`` (business licence feed), ``days`` (time bank) take the same layer."""
    assert inputs.parse_int("12", field="limit", lo=1, hi=5000) == 12
    for bad in ("²", "١٢", str(2**63), "1e3", " - 1"):
        with pytest.raises(InvalidInput):
            inputs.parse_int(bad, field="limit", lo=1, hi=5000)
    with pytest.raises(InvalidInput):
        inputs.parse_date("9999-12-31", field="since")
    from plugins.timebank.domain.ledger import parse_minutes
    with pytest.raises(InvalidInput):
        parse_minutes("²")
    with pytest.raises(InvalidInput):
        parse_minutes("1:²0")
