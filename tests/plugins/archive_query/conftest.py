"""Fixtures for the archive query plugin: a world whose approvers belong to the archive
bureau, a helper to put records into the archive, and signed-in web clients."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from core.people import applicants
from core.ops.demo import valid_resident_id
from core.platform.models import Citizen
from core.contract.host import PluginHost
from core.runtime import Quanke
from core.testing import RUN_ID, SAMPLE_PLUGIN, World, migrated, seed_world
from plugins.archive_query.domain.categories import CATEGORIES
from plugins.archive_query.domain.importer import import_rows

SPOUSE_ID = valid_resident_id("32010619920815002")   # 女
SPOUSE_NAME = "李晓梅"
STRANGER_ID = valid_resident_id("32011319700101003")  # 男


class Archive:
    """Adds records through the real importer (same validation as ``quanke archive import``)."""

    def __init__(self, quanke):
        self.quanke = quanke
        self.n = 0

    def add(self, code: str, **values) -> None:
        self.n += 1
        base = {"fonds_no": "T001", "file_no": f"{self.n:05d}", "item_no": "",
                "record_date": "2015-06-01", "issuing_body": "测试形成机关", "remarks": "馆内备注不外传"}
        row = {c: "" for c in CATEGORIES[code].columns} | base | values
        report = import_rows(self.quanke, CATEGORIES[code], [(2, row)], source="test", actor="test")
        assert report.error_count == 0, report.errors

    def marriage(self, male_id, male_name, female_id, female_name, **values) -> None:
        self.add("marriage", male_id_number=male_id, male_name=male_name,
                 female_id_number=female_id, female_name=female_name,
                 registration_type="结婚登记", certificate_no="宁玄结字第001号", **values)

    def person(self, code: str, id_number: str, name: str, **values) -> None:
        defaults = {
            "employment": {"employer": "南京无线电厂", "employment_form": "全民合同制工",
                           "position": "车工", "approval_no": "劳招字1990第1号"},
            "appointment": {"action": "任命", "position": "科长", "unit": "玄武区民政局",
                            "document_no": "玄组干〔2015〕1号"},
            "veteran": {"enlist_date": "2010-09-01", "discharge_date": "2015-06-01",
                        "discharge_type": "退伍", "military_unit": "32101部队"},
            "family_planning": {"document_type": "生育服务证", "certificate_no": "2015-001",
                                "children": "1"},
        }[code]
        role = "holder" if code == "family_planning" else "person"
        self.add(code, **{f"{role}_id_number": id_number, f"{role}_name": name,
                          **defaults, **values})


def aq_runtime(url: str, tmp) -> Quanke:
    """A runtime with this plugin (and the core's sample plugin) only.

    The other built-in plugins are being written alongside this one; loading only ours keeps
    these tests about this plugin (the core's own tests load every plugin together).
    """
    host = PluginHost(default_plugins=("plugins.archive_query.plugin",),
                      extra_plugins=[SAMPLE_PLUGIN], load_entry_points=False)
    return Quanke({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "REDIS_URL": None,
                   "QUEUE_PREFIX": f"quanke-test-{RUN_ID}"}, plugins=host)


@pytest.fixture(scope="session")
def aq_seeded(tmp_path_factory):
    """One migrated database with the world seeded for the archive bureau, per test session.

    Seeding hashes a dozen passwords (argon2, seconds); every test gets a copy of the file
    instead. The world's users and citizens are detached objects the tests only pass on by
    id — the workflow reloads them in its own transaction.
    """
    root = tmp_path_factory.mktemp("aq_seeded")
    path = root / "seeded.db"
    q = migrated(aq_runtime(f"sqlite:///{path}", root))
    world = seed_world(q, department="archives")
    q.close()
    return path, world


@pytest.fixture
def quanke(aq_seeded, tmp_path):
    """This folder's ``quanke``: a fresh copy of the seeded database (see ``aq_seeded``)."""
    path = tmp_path / "quanke.db"
    shutil.copy(aq_seeded[0], path)
    q = aq_runtime(f"sqlite:///{path}", tmp_path)
    yield q
    q.close()


@pytest.fixture
def aq(quanke, aq_seeded):
    """The world with the archive bureau's staff (approver, approver2, lead, acceptor)."""
    seeded = aq_seeded[1]
    world = World(quanke, seeded.centre, seeded.other_centre, seeded.station,
                  dict(seeded.users), dict(seeded.citizens))
    return world


@pytest.fixture
def archive(quanke) -> Archive:
    return Archive(quanke)


class People(dict):
    """Who is who in these tests: ``people.citizen.id_number`` etc."""

    def __getattr__(self, name):
        return self[name]


class Person:
    def __init__(self, id_number, name, applicant_id=None):
        self.id_number, self.name, self.applicant_id = id_number, name, applicant_id


@pytest.fixture
def people(quanke, aq) -> People:
    out = People()
    with quanke.db.session() as session:
        for key in ("citizen", "other_citizen"):
            applicant = session.get(Citizen, aq.citizens[key].id).applicant
            out[key] = Person(applicant.id_number, applicant.name, applicant.id)
        spouse, _ = applicants.register(session, kind="person", id_number=SPOUSE_ID,
                                        name=SPOUSE_NAME, actor="test")
        out["spouse"] = Person(SPOUSE_ID, SPOUSE_NAME, spouse.id)
    out["stranger"] = Person(STRANGER_ID, "王陌生")
    return out


@pytest.fixture
def web(quanke, aq):
    """A Flask test client factory signed in as a world user or citizen."""
    from web import create_app
    app = create_app(quanke=quanke)
    app.config.update(TESTING=True)

    def client(who: str | None = None):
        c = app.test_client()
        if who is not None:
            key = f"c:{aq.citizens[who].id}" if who in aq.citizens else f"u:{aq.users[who].id}"
            with c.session_transaction() as s:
                s["_user_id"] = key
                s["_fresh"] = True
                s["seen"] = int(dt.datetime.now(dt.timezone.utc).timestamp())
        return c
    client.app = app
    return client


@pytest.fixture
def aq_pg(tmp_path):
    """A runtime on a fresh PostgreSQL database of its own (migrated), dropped afterwards.

    Used instead of ``pg_quanke`` so these tests do not depend on every other plugin's
    tables being truncatable at the moment they run.
    """
    from core.testing import postgres_database
    with postgres_database("quanke_aq") as url:
        q = migrated(aq_runtime(url, tmp_path))
        try:
            yield q
        finally:
            q.close()
