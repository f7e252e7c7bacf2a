"""The citizen's consent from the portal (issue 22 #1, the second path): a counter at the
centre the citizen named may read and edit their draft until the consent runs out or is
revoked; a counter at another centre may not; granting and revoking are audited."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core import acceptance
from core.people import consent
from core.platform.audit import AuditEvent
from core.platform.models import Application
from core.testing import snapshot


def draft(world) -> Application:
    return acceptance.file_application(world.quanke, world.citizen, service_code="sample.permit",
                                       applicant_id=world.citizen.applicant_id,
                                       form_data={"purpose": "网上开办"}, submit=False)


def bearer(api_tokens, who):
    return {"Authorization": f"Bearer {api_tokens[who]}"}


def test_consent_to_a_centre_opens_the_draft_to_its_counters_only(web, world, api_tokens, as_user):
    app, client = draft(world), web.test_client()
    url = f"/api/v1/applications/{app.id}"
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 404
    citizen = as_user("citizen")
    page = citizen.get("/portal/consents")
    assert page.status_code == 200 and "授权窗口协助修改草稿" in page.get_data(as_text=True)
    r = citizen.post("/portal/consents", data={"centre_id": str(world.counter.centre_id), "hours": "2"})
    assert r.status_code == 302
    listed = citizen.get("/portal/consents").get_data(as_text=True)
    assert "有效至" in listed and "撤销" in listed
    got = client.get(url, headers=bearer(api_tokens, "counter"))
    assert got.status_code == 200 and got.get_json()["form_data"]["purpose"] == "网上开办"
    r = client.patch(url, json={"consent": True, "form_data": {"purpose": "窗口协助"}},
                     headers=bearer(api_tokens, "counter"))
    assert r.status_code == 200 and r.get_json()["form_data"]["purpose"] == "窗口协助"
    # the other centre's counter: the same 404 on GET and PATCH, nothing changed
    before = snapshot(world.quanke, app.id)
    assert client.get(url, headers=bearer(api_tokens, "counter_b")).status_code == 404
    assert client.patch(url, json={"consent": True, "form_data": {"purpose": "被改了"}},
                        headers=bearer(api_tokens, "counter_b")).status_code == 404
    assert snapshot(world.quanke, app.id) == before
    # revoked: the counter is back to 404 on both
    assert citizen.post(f"/portal/consents/{world.counter.centre_id}/revoke").status_code == 302
    assert "暂无有效授权" in citizen.get("/portal/consents").get_data(as_text=True)
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 404
    assert client.patch(url, json={"consent": True, "form_data": {"purpose": "撤销后"}},
                        headers=bearer(api_tokens, "counter")).status_code == 404
    with world.quanke.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(
            (consent.GRANTED, consent.REVOKED))).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == [consent.GRANTED, consent.REVOKED]
        assert all(e.actor == f"citizen:{world.citizen.id}" for e in events)
        assert events[0].data["centre_id"] == world.counter.centre_id and events[0].data["hours"] == 2


def test_the_consent_runs_out(web, world, api_tokens, as_user, monkeypatch):
    app, client = draft(world), web.test_client()
    as_user("citizen").post("/portal/consents", data={"centre_id": str(world.counter.centre_id), "hours": "2"})
    url = f"/api/v1/applications/{app.id}"
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 200
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2, minutes=1)
    monkeypatch.setattr(consent, "now", lambda: later)
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 404
    assert client.patch(url, json={"consent": True}, headers=bearer(api_tokens, "counter")).status_code == 404


def test_bad_consent_requests_are_refused_clearly(world):
    with world.quanke.db.session() as s:
        for hours in (0, 73, True, "24"):
            try:
                consent.grant(s, world.citizen, world.counter.centre_id, hours)
                raise AssertionError(f"{hours!r} accepted")
            except consent.InvalidInput as exc:
                assert exc.code == "consent_hours_invalid"
        try:
            consent.grant(s, world.citizen, 999999, 2)
            raise AssertionError("unknown centre accepted")
        except consent.NotFound as exc:
            assert exc.code == "centre_not_found"
        assert consent.revoke(s, world.citizen, world.counter.centre_id) is False


def test_a_consent_to_one_citizen_does_not_open_another_citizens_draft(web, world, api_tokens, as_user):
    other = acceptance.file_application(world.quanke, world.citizens["other_citizen"],
                                        service_code="sample.permit",
                                        applicant_id=world.citizens["other_citizen"].applicant_id,
                                        form_data={"purpose": "别人的"}, submit=False)
    as_user("citizen").post("/portal/consents", data={"centre_id": str(world.counter.centre_id), "hours": "24"})
    assert web.test_client().get(f"/api/v1/applications/{other.id}",
                                 headers=bearer(api_tokens, "counter")).status_code == 404
