"""Fixtures for the time-bank tests: a world whose approvers administer the time bank,
and a helper that creates people, volunteers and deposits through the plugin's own API."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from core.platform.clock import LOCAL_TZ
from core.ops.demo import valid_resident_id
from core.testing import seed_world

from plugins.timebank.domain import deposits, ledger, volunteers
from plugins.timebank.models import Holder, Volunteer
from plugins.timebank.domain.settings import settings

_serial = itertools.count(1)


class TimeBank:
    """Builds time-bank fixtures for one runtime; every write goes through the plugin."""

    def __init__(self, quanke, world):
        self.quanke, self.world = quanke, world
        self.admin = world.approver          # approver:timebank at a street centre → all communities
        self.worker = world.counter          # 全科社工

    def person(self, name: str = "居民", *, community: str = "C031", born: str = "19700101",
               lives_alone: bool = False, phone: str | None = None) -> int:
        n = next(_serial)
        number = valid_resident_id(f"320113{born}{n % 1000:03d}")
        phone = phone if phone is not None else f"137{n:08d}"
        holder = volunteers.register_recipient(self.quanke, self.worker, id_number=number, name=f"{name}{n}",
                                               phone=phone, community=community, address="尧化街道某小区1栋",
                                               lives_alone=lives_alone)
        return holder.id

    def volunteer(self, name: str = "志愿者", *, community: str = "C031", categories=("companionship",),
                  kinds=(), slots=None, born: str = "19800101") -> tuple[int, int]:
        """A certified volunteer (profile row as certification creates it); (volunteer, holder)."""
        holder_id = self.person(name, community=community, born=born)
        with self.quanke.db.session() as s:
            holder = s.get(Holder, holder_id)
            v = Volunteer(applicant_id=holder.applicant_id, holder_id=holder_id, community=community,
                          categories=list(categories), kinds=list(kinds), skills="热心助人",
                          availability=list(slots if slots is not None else []), availability_text="",
                          certified_on=dt.date(2026, 1, 1), status="active")
            s.add(v)
            s.flush()
            v.number = f"ZYZT{v.id:06d}"
            return v.id, holder_id

    def deposit(self, holder_id: int, minutes: int, *, community: str = "C031", category: str = "other") -> int:
        return deposits.deposit_activity(self.quanke, self.admin, holder_id=holder_id, minutes=minutes,
                                         community=community, category=category, memo="测试活动")

    def citizen(self, holder_id: int):
        """A portal account for the holder's person (as if they had signed up)."""
        from core.platform.models import Applicant, Citizen
        with self.quanke.db.session() as s:
            holder = s.get(Holder, holder_id)
            applicant = s.get(Applicant, holder.applicant_id)
            citizen = s.scalar(select(Citizen).where(Citizen.applicant_id == applicant.id))
            if citizen is None:
                citizen = Citizen(phone=applicant.phone or f"136{holder_id:08d}", name=applicant.name,
                                  applicant_id=applicant.id)
                s.add(citizen)
                s.flush()
            return citizen

    def request(self, recipient: int, *, kind: str = "chat", days: int = -1, hour: int = 9, hours: int = 2,
                planned: int = 90, payer: str = "recipient", community: str | None = None, by=None):
        from plugins.timebank.domain import requests
        start, end = window(days, hour, hours)
        return requests.create(self.quanke, by or self.worker, recipient_id=recipient, kind=kind,
                               window_start=start, window_end=end, planned_minutes=planned,
                               place="尧化街道某小区1栋101室", description="测试需求", payer=payer,
                               community=community)

    def balances(self, holder_id: int) -> dict:
        with self.quanke.db.session() as s:
            return ledger.balances(s, holder_id)

    def community(self, code: str) -> dict:
        with self.quanke.db.session() as s:
            ids = ledger.community_accounts(s, code)
            from plugins.timebank.models import Account
            return {k: s.get(Account, i).balance for k, i in ids.items()}

    def verify(self) -> list[str]:
        with self.quanke.db.session() as s:
            return ledger.verify(s)

    window = staticmethod(lambda *a, **k: window(*a, **k))

    @property
    def rules(self):
        return settings(self.quanke)


def window(days: int = 1, hour: int = 9, hours: int = 2, base: dt.datetime | None = None):
    """A time window ``days`` from now at ``hour`` Beijing time (negative days = past)."""
    base = base or dt.datetime.now(LOCAL_TZ)
    start = (base + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(hours=hours)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """seed_world creates 12 staff accounts; full-strength argon2 costs ~1 s each on a busy
    machine. Still argon2 (passwords verify as usual), at the lowest cost parameters."""
    from argon2 import PasswordHasher
    monkeypatch.setattr("core.people.users._hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def tb(quanke):
    world = seed_world(quanke, department="timebank")
    return TimeBank(quanke, world)


@pytest.fixture
def pg_tb(pg_quanke):
    world = seed_world(pg_quanke, department="timebank")
    return TimeBank(pg_quanke, world)
