"""District-scale demo data: 137 centres, applications across services and states, written in
batches (COPY on PostgreSQL, executemany on SQLite); a second run adds nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.platform.audit import AuditEvent, verify
from core.ops.demo import load_demo
from core.ops.district import Size, load_district
from core.platform.models import Applicant, Application, Centre, Citizen, User

TINY = Size(applicants=400, citizens=60, applications=3_000)


def _core_demo(quanke, monkeypatch):
    monkeypatch.setattr(quanke.plugins.pm.hook, "demo_data", lambda **k: [])
    load_demo(quanke)


def _check(quanke):
    with quanke.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Centre)) == 137
        levels = dict(s.execute(select(Centre.level, func.count()).group_by(Centre.level)).all())
        assert levels == {"district": 1, "street": 13, "community": 123}
        assert s.scalar(select(func.count()).select_from(User).where(User.username.like("counter\\_%", escape="\\"))) == 137
        # phones are encrypted: read them back (139… are the district's residents)
        assert sum(p.startswith("139") for p in s.scalars(select(Applicant.phone))) == TINY.applicants
        assert sum(p.startswith("139") for p in s.scalars(select(Citizen.phone))) == TINY.citizens
        bulk = Application.number.like("QK________D%")
        assert s.scalar(select(func.count()).select_from(Application).where(bulk)) == TINY.applications
        states = dict(s.execute(select(Application.state, func.count()).where(bulk)
                                .group_by(Application.state)).all())
        assert {"delivered", "in_review", "accepted", "submitted", "rejected", "draft"} <= set(states)
        assert states["delivered"] > states["in_review"]
        # Three years in, open work is the last few weeks' only: queues hold a small share.
        open_work = states["accepted"] + states["in_review"] + states["submitted"]
        assert open_work < 0.05 * TINY.applications
        services = s.scalar(select(func.count(func.distinct(Application.service_code))).where(bulk))
        assert services == len([x for x in quanke.plugins.services.values() if x.example])
        # receipt numbers unique, open work has a due date, remote work has a citizen
        assert s.scalar(select(func.count()).where(bulk, Application.state == "accepted",
                                                   Application.due_date.is_(None))) == 0
        assert s.scalar(select(func.count()).where(bulk, Application.channel == "remote",
                                                   Application.citizen_id.is_(None))) == 0
        assert s.scalar(select(func.count()).where(bulk, Application.state == "draft",
                                                   Application.channel != "remote")) == 0
        batches = s.scalar(select(func.count()).where(AuditEvent.action == "district_demo_loaded"))
        assert batches == 1                                 # one 10,000-row batch here
        assert verify(s).ok


def test_district_data_on_sqlite_and_a_second_run_adds_nothing(quanke, monkeypatch):
    _core_demo(quanke, monkeypatch)
    added = load_district(quanke, size=TINY)
    assert added >= TINY.applications
    _check(quanke)
    assert load_district(quanke, size=TINY) == 0
    _check(quanke)


@pytest.mark.postgres
def test_district_data_on_postgresql_with_copy(pg_quanke, monkeypatch):
    _core_demo(pg_quanke, monkeypatch)
    load_district(pg_quanke, size=TINY)
    _check(pg_quanke)
