"""Applicants' and citizens' ID numbers and phones are ciphertext in the database (issue 18,
PIPL Art. 28/51), on SQLite and PostgreSQL; registering the same person twice, finding a
result for pick-up by ID and SMS login still work, through blind indexes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from core.approval.queues import find_for_pickup
from core.ops import demo, migrate
from core.people import applicants, sms_login
from core.platform.models import Applicant, Citizen
from core.testing import drive_to, seed_world

NUMBER = demo.valid_resident_id("32010219900307123")
PHONE = "13800000019"


def _raw(quanke, sql: str) -> list[str]:
    """Every value of every row, as stored, as one string each (what a dump would show)."""
    with quanke.db.engine.connect() as conn:
        return ["|".join(str(v) for v in row) for row in conn.execute(text(sql)).all()]


def test_the_rows_hold_no_plaintext_id_or_phone(any_quanke):
    quanke = any_quanke
    with quanke.db.session() as s:
        person, _ = applicants.register(s, kind="person", id_number=NUMBER, name="张三", phone=PHONE,
                                        actor="test")
        firm, _ = applicants.register(s, kind="enterprise", id_number="91110000600037341L",
                                      name="某某有限公司", actor="test")
        sms_login.citizen_for_phone(s, PHONE)
    sms_login.MemorySmsSender.sent.clear()
    quanke.config["SMS_SENDER"] = "memory"
    with quanke.db.session() as s:
        sms_login.send_code(quanke, s, PHONE)
    dumped = "\n".join(_raw(quanke, "SELECT * FROM applicants") + _raw(quanke, "SELECT * FROM citizens")
                       + _raw(quanke, "SELECT * FROM sms_codes"))
    for secret in (NUMBER, PHONE, "91110000600037341L", NUMBER[6:14]):
        assert secret not in dumped
    stored = _raw(quanke, "SELECT id_number, phone FROM applicants ORDER BY id")
    assert stored[0].startswith("qk1:") and "|qk1:" in stored[0]
    with quanke.db.session() as s:                  # and read back through the model
        again = s.get(Applicant, person.id)
        assert (again.id_number, again.phone, again.birth_date.year) == (NUMBER, PHONE, 1990)
        assert s.get(Applicant, firm.id).id_number == "91110000600037341L"


def test_the_same_person_is_found_not_registered_twice(any_quanke):
    quanke = any_quanke
    with quanke.db.session() as s:
        first, _ = applicants.register(s, kind="person", id_number=NUMBER, name="张三", actor="t")
    with quanke.db.session() as s:
        again, warnings = applicants.register(s, kind="person", id_number=NUMBER.lower(),
                                              name="张叁", phone=PHONE, actor="t")
        assert again.id == first.id and any("不一致" in w for w in warnings)
        assert applicants.find(s, "person", NUMBER).id == first.id
        assert applicants.find(s, "enterprise", NUMBER) is None    # kind still counts
        assert s.scalar(select(func.count()).select_from(Applicant)) == 1


def test_a_result_is_found_for_pick_up_by_the_applicants_id(any_quanke):
    world = seed_world(any_quanke)
    app = drive_to(world, "issued", "sample.permit")
    with any_quanke.db.session() as s:
        number = s.get(Applicant, world.citizen.applicant_id).id_number
        assert [a.id for a in find_for_pickup(s, number.lower())] == [app.id]
        assert find_for_pickup(s, demo.valid_resident_id("11010519491231002")) == []


def test_sms_login_finds_the_same_account_by_phone(any_quanke):
    quanke = any_quanke
    quanke.config["SMS_SENDER"] = "memory"
    at = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone.utc)
    ids = []
    for attempt in range(2):
        when = at + dt.timedelta(minutes=10 * attempt)
        with quanke.db.session() as s:
            sms_login.send_code(quanke, s, PHONE, at=when)
        code = sms_login.MemorySmsSender.last_code(PHONE)
        with quanke.db.session() as s:
            phone = sms_login.verify_code(quanke, s, PHONE, code, at=when)
            ids.append(sms_login.citizen_for_phone(s, phone).id)
    assert ids[0] == ids[1]
    with quanke.db.session() as s:
        assert s.get(Citizen, ids[0]).phone == PHONE
        with pytest.raises(Exception):      # the resend limit still applies to the hashed phone
            sms_login.send_code(quanke, s, PHONE, at=at + dt.timedelta(minutes=10, seconds=5))


@pytest.mark.postgres
def test_look_ups_by_id_and_phone_use_an_index_on_postgresql(pg_quanke):
    with pg_quanke.db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        for sql in ("SELECT id FROM applicants WHERE id_number_index = 'x' AND kind = 'person'",
                    "SELECT id FROM applicants WHERE id_number_index = 'x'",
                    "SELECT id FROM citizens WHERE phone_index = 'x'"):
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql)))
            assert "Index" in plan and "Seq Scan" not in plan, plan


def test_existing_plaintext_rows_are_encrypted_in_place(any_quanke):
    quanke = any_quanke
    demo.load_demo(quanke)
    with quanke.db.session() as s:
        before = sorted(s.execute(select(Applicant.id, Applicant.id_number, Applicant.phone)).all())
        citizens = sorted(s.execute(select(Citizen.id, Citizen.phone)).all())
    migrate.downgrade(quanke, "core_0011")           # as a database from before issue 18
    plain = _raw(quanke, "SELECT id_number, phone FROM applicants")
    assert any(before[0][1] in row for row in plain)   # (the downgrade really gave plaintext)
    migrate.upgrade(quanke)
    assert migrate.is_current(quanke)
    dumped = "\n".join(_raw(quanke, "SELECT * FROM applicants") + _raw(quanke, "SELECT * FROM citizens"))
    assert not any(number in dumped for _id, number, _phone in before)
    assert not any(phone and phone in dumped for _id, _number, phone in before)
    with quanke.db.session() as s:
        assert sorted(s.execute(select(Applicant.id, Applicant.id_number, Applicant.phone)).all()) == before
        assert sorted(s.execute(select(Citizen.id, Citizen.phone)).all()) == citizens
        for applicant_id, number, _phone in before:
            kind = s.get(Applicant, applicant_id).kind
            assert applicants.find(s, kind, number).id == applicant_id
        for citizen_id, phone in citizens:
            assert sms_login.citizen_for_phone(s, phone).id == citizen_id


@pytest.mark.postgres
def test_a_district_database_migrates_in_place_on_postgresql(pg_quanke, monkeypatch):
    """A copy of the demo district (scaled down: shared CI machines) written before issue 18:
    every resident encrypted by core_0012 in batches, look-ups by ID and phone still answer."""
    import time

    from core.ops.district import Size, load_district
    quanke = pg_quanke
    monkeypatch.setattr(quanke.plugins.pm.hook, "demo_data", lambda **k: [])
    demo.load_demo(quanke)
    load_district(quanke, size=Size(applicants=3_000, citizens=300, applications=2_000))
    migrate.downgrade(quanke, "core_0011")
    with quanke.db.engine.connect() as conn:
        plain = dict(conn.execute(text("SELECT id, id_number FROM applicants")).all())
        phones = dict(conn.execute(text("SELECT id, phone FROM citizens")).all())
    assert len(plain) >= 3_000 and all(n[:2] in ("32", "91") for n in plain.values())
    started = time.perf_counter()
    migrate.upgrade(quanke)
    took = time.perf_counter() - started
    dumped = "\n".join(_raw(quanke, "SELECT id_number, phone FROM applicants"))
    assert not any(n in dumped for n in list(plain.values())[::97])
    with quanke.db.session() as s:
        for applicant_id, number in list(plain.items())[::250]:
            found = s.scalar(select(Applicant).where(Applicant.id_number_index == number))
            assert found.id == applicant_id and found.id_number == number
        for citizen_id, phone in list(phones.items())[::50]:
            assert sms_login.citizen_for_phone(s, phone).id == citizen_id
    assert took < 60, f"core_0012 took {took:.1f}s for {len(plain)} applicants"
