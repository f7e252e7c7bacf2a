"""The seeded world most tests need: centres, departments, staff of every role, citizens."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core.ops.demo import sync_departments, valid_resident_id
from core.people import applicants
from core.people.users import create_user
from core.platform.clock import today
from core.platform.models import Applicant, Centre, CentreService, Citizen, User
from core.runtime import Quanke

PASSWORD = "test-pass-123"


@dataclass
class World:
    """Centres, staff of every role and citizens, as most tests need them."""

    quanke: Quanke
    centre: Centre
    other_centre: Centre
    station: Centre
    users: dict[str, User] = field(default_factory=dict)
    citizens: dict[str, Citizen] = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        citizens = self.__dict__.get("citizens", {})
        if name in citizens:
            return citizens[name]
        raise AttributeError(name)

    def refresh(self) -> None:
        with self.quanke.db.session() as session:
            for key, user in list(self.users.items()):
                self.users[key] = session.get(User, user.id)


#: role name in tests → (roles granted, centre key)
WORLD_STAFF = {
    "counter": (["counter"], "centre"),
    "counter_b": (["counter"], "other_centre"),
    "counter_unauth": (["counter"], "station"),
    "agent": (["agent"], "centre"),
    "approver": (["approver:{d}"], "centre"),
    "approver2": (["approver:{d}"], "centre"),
    "approver_other": (["approver:other_dept"], "centre"),
    "lead": (["dept_lead:{d}", "approver:{d}"], "centre"),
    "acceptor": (["counter", "approver:{d}", "dept_lead:{d}"], "centre"),
    "centre_admin": (["centre_admin"], "centre"),
    "sys_admin": (["sys_admin"], "centre"),
    "auditor": (["auditor"], "centre"),
    "inspector": (["inspector:{d}"], "centre"),
}


def seed_world(quanke: Quanke, *, department: str = "sample_dept",
               service_codes: list[str] | None = None) -> World:
    """Create the test world; every service is authorised at the two street centres."""
    codes = service_codes or sorted(quanke.plugins.services)
    with quanke.db.session() as session:
        sync_departments(quanke, session)
        centre = Centre(code="T01", name="测试街道便民服务中心", level="street")
        other = Centre(code="T02", name="另一街道便民服务中心", level="street")
        station = Centre(code="T03", name="测试社区便民服务站", level="community")
        session.add_all([centre, other, station])
        session.flush()
        for c in (centre, other):
            c.services = [CentreService(service_code=code) for code in codes]
        world = World(quanke, centre, other, station)
        places = {"centre": centre, "other_centre": other, "station": station}
        for key, (roles, place) in WORLD_STAFF.items():
            world.users[key] = create_user(
                session, username=f"t_{key}", name=f"测试{key}", password=PASSWORD,
                roles=[r.format(d=department) for r in roles], centre_code=places[place].code)
        for key, prefix, phone in (("citizen", "32010219900101001", "13900000001"),
                                   ("other_citizen", "32010219850202002", "13900000002")):
            applicant, _ = applicants.register(session, kind="person",
                                               id_number=valid_resident_id(prefix),
                                               name="测试" + key, phone=phone, actor="test")
            citizen = Citizen(phone=phone, name=applicant.name, applicant_id=applicant.id)
            session.add(citizen)
            session.flush()
            world.citizens[key] = citizen
    return world


def _born(age: int, on: dt.date) -> dt.date:
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # 29 February in a year without one
        return on.replace(year=on.year - age, day=28)


def new_applicant(world: World, *, age: int | None = None, born: dt.date | None = None,
                  on: dt.date | None = None, kind: str = "person", name: str | None = None,
                  phone: str | None = None) -> Applicant:
    """A new applicant of any age or kind, for rules the seeded citizen (born 1990) cannot test.

    A person (``kind="person"``) gets a valid resident ID whose birth date makes them ``age``
    on ``on`` (default: today, Beijing time; they turn that age that very day) or is ``born``,
    and a portal account (so :func:`core.testing.drive_to` can file a draft for them); an
    enterprise (``kind="enterprise"``) a valid unified social credit code. Pass the applicant
    to :func:`core.testing.file_at_counter` or :func:`core.testing.drive_to` (``applicant=``).
    """
    from stdnum.cn import uscc
    quanke = world.quanke
    with quanke.db.session() as session:
        serial = (session.scalar(select(func.count(Applicant.id))) or 0) + 1
        while True:  # a number nobody holds yet (tests may add applicants of their own)
            if kind == "enterprise":
                base = f"92320102MA{serial:07d}"
                number = base + uscc.calc_check_digit(base)
            elif kind == "person":
                birth = born or _born(20 if age is None else age, on or today())
                number = valid_resident_id(f"320102{birth:%Y%m%d}{serial % 1000:03d}")
            else:
                raise ValueError(f"kind is 'person' or 'enterprise', not {kind!r}")
            if applicants.find(session, kind, number) is None:
                break
            serial += 1
        default = f"测试个体户{serial}" if kind == "enterprise" else f"测试申请人{serial}"
        applicant, _ = applicants.register(session, kind=kind, id_number=number,
                                           name=name or default, actor="test",
                                           phone=phone if phone is not None else f"137{serial:08d}")
        if kind == "person" and applicant.phone:
            session.add(Citizen(phone=applicant.phone, name=applicant.name, applicant_id=applicant.id))
        session.flush()
        session.expunge(applicant)
    return applicant
