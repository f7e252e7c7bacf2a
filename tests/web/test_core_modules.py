"""The core modules behind the pages (tickets, SMS codes, catalog, stats, queues), on SQLite
and on PostgreSQL where the SQL differs or concurrency matters."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from core.acceptance import catalog, tickets
from core.approval import queues
from core.ops import stats
from core.platform.clock import today
from core.platform.models import Centre, User
from core.people.sms_login import (CODE_TTL, MemorySmsSender, SmsCode, citizen_for_phone, send_code, verify_code)
from core.testing import drive_to, seed_world
from core.platform.errors import Conflict, Forbidden, InvalidInput


def test_catalog_pinyin(quanke):
    services = list(quanke.plugins.services.values())
    assert [s.code for s in catalog.search(services, "slxk")] == ["sample.permit"]
    assert catalog.search(services, "sample.perm")[0].code == "sample.permit"
    assert catalog.search(services, "zzzzqqq") == []
    assert catalog.search(services, "", allowed=set()) == []
    assert all("remote" in s.channels for s in catalog.search(services, "", channel="remote"))


@pytest.mark.postgres
def test_two_workers_calling_at_once_get_different_tickets(pg_quanke):
    world = seed_world(pg_quanke)
    with pg_quanke.db.session() as s:
        centre = s.get(Centre, world.centre.id)
        for _ in range(2):
            tickets.take_ticket(s, centre)
    got, errors = [], []
    barrier = threading.Barrier(2)

    def call(user_id):
        try:
            with pg_quanke.db.session() as s:
                user = s.get(User, user_id)
                barrier.wait()
                ticket = tickets.call_next(s, user)
                got.append(ticket.number if ticket else None)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    with pg_quanke.db.session() as s:
        from core.people.users import create_user
        second = create_user(s, username="t_counter_2", name="二号窗口", password="pass-word-1",
                             roles=["counter"], centre_code="T01")
    threads = [threading.Thread(target=call, args=(uid,)) for uid in (world.counter.id, second.id)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == ["A001", "A002"]


def test_booking_capacity_and_rules(quanke, world):
    day = today() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    with quanke.db.session() as s:
        from core.platform.models import Citizen
        people = []
        for i in range(tickets.SLOT_CAPACITY + 1):
            c = Citizen(phone=f"1370000{i:04d}")
            s.add(c)
            people.append(c)
        s.flush()
        for c in people[:-1]:
            tickets.book(s, c, centre_code="T01", day=day, slot="09:00")
        with pytest.raises(Conflict):
            tickets.book(s, people[-1], centre_code="T01", day=day, slot="09:00")
        with pytest.raises(InvalidInput):
            tickets.book(s, people[-1], centre_code="T01", day=day, slot="12:34")
        with pytest.raises(Forbidden):
            tickets.book(s, world.counter, centre_code="T01", day=day, slot="10:00")


def test_sms_code_lifecycle(quanke):
    quanke.config["SMS_SENDER"] = "memory"
    MemorySmsSender.sent.clear()
    at = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    with quanke.db.session() as s:
        phone = send_code(quanke, s, "+86 139-0000-0077", at=at)
    assert phone == "13900000077"
    code = MemorySmsSender.last_code(phone)
    with quanke.db.session() as s:
        with pytest.raises(InvalidInput):
            verify_code(quanke, s, phone, code, at=at + CODE_TTL + dt.timedelta(seconds=1))
    with quanke.db.session() as s:
        assert verify_code(quanke, s, phone, code, at=at) == phone
        citizen = citizen_for_phone(s, phone)
        assert citizen_for_phone(s, phone).id == citizen.id
    with quanke.db.session() as s:
        assert s.scalar(select(SmsCode)).used_at is not None


@pytest.mark.postgres
def test_stats_and_queue_counts_on_postgres(pg_quanke):
    world = seed_world(pg_quanke)
    drive_to(world, "approved")
    drive_to(world, "accepted")
    with pg_quanke.db.session() as s:
        result = stats.compute(s, today() - dt.timedelta(days=2), today())
        assert result.total == 2 and sum(n for _, n in result.by_day) == 2
        assert sum(n for _, n in result.durations) == 1
        counts = queues.counts(s, ["sample_dept"], world.approver.id)
        assert counts["sample_dept"]["waiting"] == 1
        rows, total = queues.queue(s, "sample_dept")
        assert total == 1 and rows[0].centre.code == "T01"


def test_stats_on_sqlite(quanke, world):
    drive_to(world, "approved")
    with quanke.db.session() as s:
        result = stats.compute(s, today() - dt.timedelta(days=1), today() + dt.timedelta(days=1))
    assert result.total == 1 and sum(n for _, n in result.durations) == 1
    assert [level for level, _ in result.satisfaction] == [5, 4, 3, 2, 1]
