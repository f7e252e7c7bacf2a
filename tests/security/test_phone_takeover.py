"""Registering a known person never changes their phone; changing it is its own audited
action at the counter with the ID re-checked, and the old number is told (issue 23 #2,
issue 22 #7)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.platform.models import OutboxMessage
from core.platform.audit import AuditEvent
from core.platform.models import Applicant, Citizen
from webtools import Browser, sign_in


@pytest.fixture
def api(web, world):
    from core.people.tokens import create_token
    from core.platform.models import User
    tokens = {}
    with world.quanke.db.session() as session:
        for key in ("counter", "agent"):
            tokens[key] = create_token(session, session.get(User, world.users[key].id), name="t")
    client = web.test_client()

    def call(who, method, path, **kw):
        return getattr(client, method)(path, headers={"Authorization": f"Bearer {tokens[who]}"}, **kw)
    return call


def _victim(world):
    with world.quanke.db.session() as s:
        applicant = s.get(Citizen, world.citizen.id).applicant
        return applicant.id, applicant.id_number, applicant.name, applicant.phone


def test_registering_a_known_person_keeps_the_phone(api, world):
    """The probe: POST /api/v1/applicants with the victim's ID and the attacker's phone."""
    applicant_id, number, name, phone = _victim(world)
    assert phone
    r = api("agent", "post", "/api/v1/applicants", json={"kind": "person", "id_number": number,
                                                         "name": name, "phone": "13700000000"})
    assert r.status_code == 201
    assert any("未作修改" in w for w in r.get_json()["warnings"])
    with world.quanke.db.session() as s:
        assert s.get(Applicant, applicant_id).phone == phone
    with world.quanke.db.session() as s:   # and it left no silent trace either: nothing changed
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action == "applicant_phone_changed")).all()


def test_changing_the_phone_at_the_counter(api, world):
    applicant_id, number, _name, old = _victim(world)
    r = api("counter", "post", f"/api/v1/applicants/{applicant_id}/phone",
            json={"id_number": number, "phone": "13700000000"})
    assert r.status_code == 200, r.get_json()
    with world.quanke.db.session() as s:
        assert s.get(Applicant, applicant_id).phone == "13700000000"
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "applicant_phone_changed")).one()
        assert event.actor == f"user:{world.counter.id}" and event.data["identity_checked"] is True
        told = s.scalars(select(OutboxMessage).where(OutboxMessage.event == "phone_changed")).one()
        assert told.recipient == old and "如非本人办理" in told.body


def test_changing_the_phone_needs_the_person_and_a_counter(api, world, web):
    applicant_id, number, _name, old = _victim(world)
    from core.ops.demo import valid_resident_id
    r = api("counter", "post", f"/api/v1/applicants/{applicant_id}/phone",
            json={"id_number": valid_resident_id("11010519800101001"), "phone": "13700000000"})
    assert r.status_code == 403 and r.get_json()["error"] == "recipient_mismatch"
    r = api("counter", "post", f"/api/v1/applicants/{applicant_id}/phone", json={"phone": "13700000000"})
    assert r.status_code == 400 and r.get_json()["error"] == "identity_check_required"
    r = api("agent", "post", f"/api/v1/applicants/{applicant_id}/phone",
            json={"id_number": number, "phone": "13700000000"})
    assert r.status_code == 403
    with world.quanke.db.session() as s:
        assert s.get(Applicant, applicant_id).phone == old
    # and on the page
    client = web.test_client()
    sign_in(client, f"u:{world.users['counter'].id}")
    r = Browser(client).post(f"/counter/applicants/{applicant_id}/phone",
                             {"id_number": number, "phone": "13600000000"}, follow_redirects=True)
    assert "手机号码已变更" in r.get_data(as_text=True)
    with world.quanke.db.session() as s:
        assert s.get(Applicant, applicant_id).phone == "13600000000"
