"""Only the person at the window (issue 22 #1, #3): a counter worker reads and edits a
citizen's private draft, and sees the full personal data of another centre's application,
only after re-checking that person's ID at the counter (half an hour); every 查看完整信息 is
audited, limited per hour and flagged for the auditors when one worker views many."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core import acceptance
from core.people import presence, reveals
from core.platform.audit import AuditEvent
from core.platform.errors import Forbidden
from core.platform.models import Applicant, Application
from core.testing import drive_to, snapshot


def draft(world) -> Application:
    return acceptance.file_application(world.quanke, world.citizen, service_code="sample.permit",
                                       applicant_id=world.citizen.applicant_id,
                                       form_data={"purpose": "网上开办"}, submit=False)


def id_number(world, key="citizen") -> str:
    with world.quanke.db.session() as s:
        return s.get(Applicant, world.citizens[key].applicant_id).id_number


def bearer(api_tokens, who):
    return {"Authorization": f"Bearer {api_tokens[who]}"}


# -- 22 #1: drafts -----------------------------------------------------------------------------

def test_the_probe_patch_on_someone_elses_draft_is_a_404_like_get(web, world, api_tokens):
    """The probe: a counter at another centre PATCHes a citizen's draft with {"consent": true}."""
    app, client = draft(world), web.test_client()
    before = snapshot(world.quanke, app.id)
    for who in ("counter", "counter_b"):
        r = client.patch(f"/api/v1/applications/{app.id}", json={"consent": True, "delivery_method": "courier",
                                                                 "form_data": {"purpose": "被改了"}},
                         headers=bearer(api_tokens, who))
        assert r.status_code == 404 and "网上开办" not in r.get_data(as_text=True)
        assert client.get(f"/api/v1/applications/{app.id}", headers=bearer(api_tokens, who)).status_code == 404
    assert snapshot(world.quanke, app.id) == before


def test_after_the_id_check_the_worker_reads_and_edits_it_and_nobody_else_does(web, world, api_tokens):
    app, client = draft(world), web.test_client()
    url = f"/api/v1/applicants/{world.citizen.applicant_id}/identify"
    wrong = client.post(url, json={"id_number": id_number(world, "other_citizen")}, headers=bearer(api_tokens, "counter"))
    assert wrong.status_code == 403 and wrong.get_json()["error"] == "identity_mismatch"
    assert client.get(f"/api/v1/applications/{app.id}", headers=bearer(api_tokens, "counter")).status_code == 404
    ok = client.post(url, json={"id_number": id_number(world)}, headers=bearer(api_tokens, "counter"))
    assert ok.status_code == 200 and ok.get_json() == {"identified": True, "valid_minutes": 30}
    got = client.get(f"/api/v1/applications/{app.id}", headers=bearer(api_tokens, "counter"))
    assert got.status_code == 200 and got.get_json()["form_data"]["purpose"] == "网上开办"
    r = client.patch(f"/api/v1/applications/{app.id}", json={"consent": True, "form_data": {"purpose": "窗口协助"}},
                     headers=bearer(api_tokens, "counter"))
    assert r.status_code == 200 and r.get_json()["form_data"]["purpose"] == "窗口协助"
    # a colleague at another centre, who never saw the citizen, still gets nothing
    assert client.patch(f"/api/v1/applications/{app.id}", json={"consent": True},
                        headers=bearer(api_tokens, "counter_b")).status_code == 404
    with world.quanke.db.session() as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "applicant_identified")).all()
        assert event.actor == f"user:{world.counter.id}" and event.data["how"] == "api_recheck"


def test_the_check_lasts_half_an_hour(web, world, api_tokens, monkeypatch):
    app, client = draft(world), web.test_client()
    client.post(f"/api/v1/applicants/{world.citizen.applicant_id}/identify", json={"id_number": id_number(world)},
                headers=bearer(api_tokens, "counter"))
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=31)
    monkeypatch.setattr(presence, "now", lambda: later)
    assert client.get(f"/api/v1/applications/{app.id}", headers=bearer(api_tokens, "counter")).status_code == 404


def test_the_workflow_itself_refuses_a_worker_who_has_not_checked_the_id(world):
    app = draft(world)
    with pytest.raises(Forbidden) as err:
        acceptance.update_draft(world.quanke, world.counter, app.id, form_data={"purpose": "改"}, consent=True)
    assert err.value.code == "applicant_not_present"


def test_counter_pages_show_drafts_only_after_the_id_lookup(as_user, world):
    app = draft(world)
    b = as_user("counter")
    page = b.text(f"/counter/applicants/{world.citizen.applicant_id}")
    assert f"/counter/drafts/{app.id}/edit" not in page and 'data-testid="identify-form"' in page
    assert b.get(f"/counter/drafts/{app.id}/edit").status_code == 404
    r = b.post("/counter/applicant", {"kind": "person", "id_number": id_number(world), "name": "", "phone": ""})
    assert r.status_code == 302                      # typed from the ID the citizen shows
    page = b.text(r.headers["Location"])
    assert f"/counter/drafts/{app.id}/edit" in page and 'data-testid="identify-form"' not in page
    assert b.get(f"/counter/drafts/{app.id}/edit").status_code == 200


# -- 22 #3: 查看完整信息 ------------------------------------------------------------------------

def issued_elsewhere(world) -> Application:
    """An issued application received at T01; counter_b (T02) sees it for pick-up (同城取件)."""
    return drive_to(world, "issued")


def test_pick_up_reveal_needs_the_id_check_of_the_application_in_hand(web, world, api_tokens):
    app, client = issued_elsewhere(world), web.test_client()
    url = f"/api/v1/applications/{app.id}?reveal=1"
    assert client.get(f"/api/v1/applications/{app.id}", headers=bearer(api_tokens, "counter_b")).status_code == 200
    refused = client.get(url, headers=bearer(api_tokens, "counter_b"))
    assert refused.status_code == 403 and id_number(world) not in refused.get_data(as_text=True)
    client.post(f"/api/v1/applicants/{world.citizen.applicant_id}/identify", json={"id_number": id_number(world)},
                headers=bearer(api_tokens, "counter_b"))
    shown = client.get(url, headers=bearer(api_tokens, "counter_b"))
    assert shown.status_code == 200 and shown.get_json()["applicant"]["id_number"] == id_number(world)
    # the receiving centre's own worker still sees its own case in full (audited)
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 200


def test_the_counter_page_offers_the_id_check_then_reveals(as_user, world):
    app = issued_elsewhere(world)
    b = as_user("counter_b")
    page = b.text(f"/counter/applications/{app.id}?reveal=1")
    assert id_number(world) not in page and 'data-testid="identify-form"' in page
    r = b.post(f"/counter/applicants/{world.citizen.applicant_id}/identify",
               {"id_number": id_number(world), "next": f"/counter/applications/{app.id}?reveal=1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/counter/applications/{app.id}?reveal=1")
    assert id_number(world) in b.text(r.headers["Location"])
    wrong = b.post(f"/counter/applicants/{world.citizen.applicant_id}/identify", {"id_number": id_number(world, "other_citizen")})
    assert "证件号码与申请人不一致" in b.text(wrong.headers["Location"])


def test_reveals_are_limited_per_hour_and_many_are_flagged_for_the_auditor(web, world, api_tokens, as_user):
    quanke, client = world.quanke, web.test_client()
    quanke.config.update(REVEAL_LIMIT_PER_HOUR=3, REVEAL_FLAG_PER_DAY=2)
    app = drive_to(world, "submitted")           # received at T01: the counter's own centre
    url = f"/api/v1/applications/{app.id}?reveal=1"
    codes = [client.get(url, headers=bearer(api_tokens, "counter")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = client.get(url, headers=bearer(api_tokens, "counter")).get_json()
    assert last["error"] == "reveal_rate_limited" and "3" in last["message"]
    with quanke.db.session() as s:
        views = s.scalars(select(AuditEvent).where(AuditEvent.action == "view_personal_data")).all()
        flags = s.scalars(select(AuditEvent).where(AuditEvent.action == "many_personal_data_views")).all()
    assert len(views) == 3 and len(flags) == 1 and flags[0].data["actor"] == f"user:{world.counter.id}"
    page = as_user("auditor").text("/admin/audit")
    assert 'data-testid="reveal-flags"' in page and world.counter.name in page
    assert f"staff={world.counter.username}" in page


def test_views_older_than_an_hour_do_not_count(web, world, api_tokens, monkeypatch):
    quanke, client = world.quanke, web.test_client()
    quanke.config["REVEAL_LIMIT_PER_HOUR"] = 1
    app = drive_to(world, "submitted")
    url = f"/api/v1/applications/{app.id}?reveal=1"
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 200
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 429
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=61)
    monkeypatch.setattr(reveals, "now", lambda: later)
    assert client.get(url, headers=bearer(api_tokens, "counter")).status_code == 200
