"""The seeded world most tests need: centres, departments, staff of every role, citizens."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.ops.demo import sync_departments, valid_resident_id
from core.people import applicants
from core.people.users import create_user
from core.platform.models import Centre, CentreService, Citizen, User
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
