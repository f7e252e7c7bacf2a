"""The plugin author's test kit: databases, a seeded world, drivers and contract checks.

Built-in and third-party plugins test with the same kit (guide: ``docs/plugins.md`` § 测试;
``quanke plugin new`` generates tests that use it). Use it from a ``conftest.py``::

    pytest_plugins = ["core.testing"]

    @pytest.fixture
    def world(quanke):                      # approvers of the plugin's own department
        return seed_world(quanke, department="residents_committee")

Fixtures: ``quanke`` (runtime on a fresh, migrated SQLite file), ``pg_quanke`` (the same on
a PostgreSQL database private to this test run), ``world`` (centres, departments, staff of
every role, citizens), ``app`` and ``client`` (Flask), ``counter_worker``, ``approver``,
``citizen``. Helpers: :func:`drive_to` puts an application into any state through
:mod:`core.workflow`; :func:`check_plugin` runs the contract checks every plugin must pass.

Test runs never share state: PostgreSQL tests use a database created for the run (dropped
at the end), Redis tests a queue prefix unique to the run.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from wtforms import Form, StringField
from wtforms.validators import DataRequired, Length

from core.people import applicants
from core import hookimpl
from core.ops import migrate
from core import acceptance, approval
from core.platform.db import Base
from core.ops.demo import sync_departments, valid_resident_id
from core.platform.models import (Application, Centre, CentreService, Citizen, Decision, OutboxMessage, State, User)
from core.runtime import Quanke
from core.contract.services import Check, CheckResult, MaterialSpec, ServiceDef
from core.contract.certificate_fields import certificate_field_problems
from core.people.users import create_user

PG_ADMIN_URL = os.environ.get("QUANKE_TEST_PG_ADMIN",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("QUANKE_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:8]
PASSWORD = "test-pass-123"
#: A real 2×2 PNG: uploads are decoded and re-encoded (core.acceptance.uploads), so test images must be
#: images, not just the magic bytes.
TINY_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00"
            b"\x00\xfd\xd4\x9as\x00\x00\x00\x16IDATx\x9cc<!'\xc7\xc0\xc0\xc0\xc4\xc0\xc0\xc0\xc0"
            b"\xc0\x00\x00\r\x04\x01\x08}q\xcaf\x00\x00\x00\x00IEND\xaeB`\x82")


# -- a sample plugin: the smallest complete service, for core tests and as an example ---------

class SamplePermitForm(Form):
    purpose = StringField("用途", validators=[DataRequired("请填写用途"), Length(2, 100)])


def _sample_fields(ctx):
    return [("用途", ctx.form_data.get("purpose", "")), ("申请人", ctx.applicant_name)]


def _sample_certificate(ctx) -> bytes:
    from core.papers.documents import CertificateTemplate
    return CertificateTemplate("示例许可证", _sample_fields)(ctx)


def _sample_check(ctx) -> CheckResult:
    if "禁止" in (ctx.form_data.get("purpose") or ""):
        return CheckResult.block("用途含有禁止事项")
    if "提示" in (ctx.form_data.get("purpose") or ""):
        return CheckResult.warn("用途需要人工留意")
    return CheckResult.passed("用途正常")


SAMPLE_SERVICE = ServiceDef(
    code="sample.permit", name="示例许可", department="sample_dept", form=SamplePermitForm,
    materials=(MaterialSpec("id_proof", "身份证明"),
               MaterialSpec("photo", "照片", required=False,
                            accepted_types=frozenset({"image/jpeg", "image/png"}),
                            max_bytes=200_000)),
    deadline_working_days=5, channels=frozenset({"counter", "remote", "agent"}),
    checks=(Check("sample.purpose", "用途核查", _sample_check),),
    certificate=_sample_certificate, example={"purpose": "开办示例"},
)


class SamplePlugin:
    """A plugin object (not a module): pluggy accepts either."""

    __name__ = "sample"

    @hookimpl
    def register_departments(self):
        return [("sample_dept", "示例审批局"), ("other_dept", "其他审批局")]

    @hookimpl
    def register_services(self):
        return [SAMPLE_SERVICE]


SAMPLE_PLUGIN = SamplePlugin()


def flaky_job(quanke, *, key: str, failures: int = 1) -> int:
    """A job that fails ``failures`` times, then succeeds (for retry tests on a real worker)."""
    from redis import Redis
    attempt = Redis.from_url(quanke.config["REDIS_URL"]).incr(key)
    if attempt <= failures:
        raise RuntimeError(f"simulated failure {attempt}")
    return attempt


# -- databases --------------------------------------------------------------------------------

def migrated(quanke: Quanke) -> Quanke:
    """Apply every branch's migrations (core and all loaded plugins); returns ``quanke``."""
    migrate.upgrade(quanke)
    return quanke


@contextmanager
def postgres_database(prefix: str = "quanke_test") -> Iterator[str]:
    """Create a database private to the caller; yields its URL and drops it afterwards."""
    name = f"{prefix}_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def truncate_all(quanke: Quanke) -> None:
    """Empty every table (not the migration version) between tests sharing a database."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    with quanke.db.engine.begin() as conn:
        if quanke.db.is_postgres:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))
    quanke.forget_calendar()


def runtime(url: str, tmp: Path, **config) -> Quanke:
    """A runtime on database ``url`` with instance files under ``tmp``: jobs inline (no
    Redis), every installed plugin plus :data:`SAMPLE_PLUGIN`; ``config`` overrides settings."""
    # PDFs are rendered when first downloaded, so tests that never look at one skip the cost.
    base = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "REDIS_URL": None,
            "QUEUE_PREFIX": f"quanke-test-{RUN_ID}", "RENDER_DOCUMENTS_INLINE": False}
    base.update(config)
    return Quanke(base, extra_plugins=[SAMPLE_PLUGIN])


# -- the seeded world -------------------------------------------------------------------------

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


# -- driving applications ---------------------------------------------------------------------

def file_at_counter(world: World, service_code: str = "sample.permit", *, form=None,
                    paper=None, by: str = "counter") -> Application:
    """File an application for ``world.citizen`` at the counter (``world.users[by]``), with
    consent recorded: the service's ``example`` as form data unless ``form`` is given, and
    every required material on paper unless ``paper`` lists the codes. State: submitted."""
    quanke = world.quanke
    service = quanke.service(service_code)
    with quanke.db.session() as session:
        applicant = session.get(Citizen, world.citizen.id).applicant
        name, number = applicant.name, applicant.id_number
    if paper is None:
        paper = [m.code for m in service.materials if m.required and not m.alternative_to]
    return acceptance.file_application(
        quanke, world.users[by], service_code=service_code,
        applicant_id=world.citizen.applicant_id, form_data=form or service.example_for(name, number),
        paper=paper, consent=True, consent_text="申请人当面同意")


PAUSED = "paused"


def drive_to(world: World, state: str, service_code: str = "sample.permit") -> Application:
    """An application in ``state`` (a :class:`State` value, or ``"accepted+paused"`` /
    ``"in_review+paused"``), reached through the workflow: accepted by ``world.acceptor``,
    claimed and decided by ``world.approver``."""
    quanke = world.quanke
    base, _, modifier = state.partition("+")
    target = State(base)
    if target is State.DRAFT:
        service = quanke.service(service_code)
        with quanke.db.session() as session:
            applicant = session.get(Citizen, world.citizen.id).applicant
            form = service.example_for(applicant.name, applicant.id_number)
        return acceptance.file_application(quanke, world.citizen, service_code=service_code,
                                         applicant_id=world.citizen.applicant_id,
                                         form_data=form, submit=False)
    if target in (State.CORRECTION_REQUESTED,):
        app = file_at_counter(world, service_code, paper=[])
        return acceptance.return_for_correction(quanke, world.acceptor, app.id)
    app = file_at_counter(world, service_code)
    steps = {
        State.SUBMITTED: [],
        State.NOT_ACCEPTED: [lambda a: acceptance.refuse(quanke, world.acceptor, a.id, reasons="不属于本中心受理范围")],
        State.WITHDRAWN: [lambda a: acceptance.withdraw(quanke, world.citizen, a.id)],
    }
    decided = [
        lambda a: acceptance.accept(quanke, world.acceptor, a.id),
        lambda a: approval.claim(quanke, world.approver, a.id),
    ]
    steps[State.ACCEPTED] = decided[:1]
    steps[State.IN_REVIEW] = decided
    steps[State.APPROVED] = decided + [lambda a: approval.approve(quanke, world.approver, a.id)]
    steps[State.REJECTED] = decided + [lambda a: approval.reject(quanke, world.approver, a.id, reasons="不符合条件")]
    steps[State.ISSUED] = steps[State.APPROVED] + [lambda a: approval.issue(quanke, world.approver, a.id)]
    steps[State.DELIVERED] = steps[State.ISSUED] + [
        lambda a: acceptance.deliver(quanke, world.counter, a.id,
                                   recipient_id_number=a.applicant.id_number)]
    for step in steps[target]:
        app = step(app)
    if modifier == PAUSED:
        actor = world.approver if target is State.IN_REVIEW else world.lead
        app = approval.pause(quanke, actor, app.id, reason="等待现场核查")
    return app


def snapshot(quanke: Quanke, app_id: int) -> dict:
    """Everything an action could change about an application (for "changes nothing")."""
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        return {
            "row": {c.name: getattr(app, c.key) for c in Application.__table__.columns},
            "audit": session.scalar(text("SELECT count(*) FROM audit_events")),
            "outbox": session.scalar(select(func.count(OutboxMessage.id))),
            "decisions": session.scalar(select(func.count(Decision.id))
                                        .where(Decision.application_id == app_id)),
            "materials": len(app.materials), "pauses": len(app.pauses),
            "evidence": len(app.evidence),
        }


# -- the plugin contract ----------------------------------------------------------------------

def check_plugin(name: str, quanke: Quanke) -> None:
    """Contract checks every plugin passes (DESIGN §3); raises AssertionError listing problems.

    Declarations valid and loaded; each form validates its own example; every material has
    a name; the certificate renders to a readable PDF; the plugin's migrations apply, downgrade
    and apply again on a scratch database.
    """
    problems: list[str] = []
    info = quanke.plugins.infos.get(name)
    if info is None or not info.enabled:
        raise AssertionError(f"plugin {name} not loaded: {info.error if info else 'unknown'}")
    if not info.services:
        problems.append("declares no service")
    for code in info.services:
        service = quanke.service(code)
        if not service.example:
            problems.append(f"{code}: no example form data")
        else:
            try:
                acceptance.validate_form(service, service.example_for("张三", valid_resident_id("11010519491231002")))
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{code}: example does not validate: {getattr(exc, 'details', exc)}")
        for spec in service.materials:
            if not spec.name.strip():
                problems.append(f"{code}: material {spec.code} has no name")
        if service.certificate is not None:
            problems += _check_certificate(service)
            problems += certificate_field_problems(service)
    problems += _check_migrations(name, quanke)
    if problems:
        raise AssertionError(f"plugin {name} breaks the contract:\n- " + "\n- ".join(problems))


def _check_certificate(service: ServiceDef) -> list[str]:
    from pypdf import PdfReader

    from core.contract.services import CertificateContext
    ctx = CertificateContext(
        application_no="QK20261123TEST", service_code=service.code, service_name=service.name,
        applicant_name="张三", applicant_id_masked="1101**********0021",
        form_data=service.example_for("张三", valid_resident_id("11010519491231002")),
        department_code=service.department, department_name="测试部门", centre_name="测试中心",
        decided_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc),
        verification_code="TESTCODE", verification_url="http://127.0.0.1/verify/TESTCODE")
    try:
        pdf = service.certificate(ctx)
        reader = PdfReader(io.BytesIO(bytes(pdf)))
        text_ = "".join(page.extract_text() or "" for page in reader.pages)
    except Exception as exc:  # noqa: BLE001
        return [f"{service.code}: certificate does not render: {exc!r}"]
    if not bytes(pdf).startswith(b"%PDF") or "张三" not in text_:
        return [f"{service.code}: certificate is not a PDF naming the applicant"]
    return []


def _check_migrations(name: str, quanke: Quanke) -> list[str]:
    location = quanke.plugins.migration_locations().get(name)
    if location is None:
        return []
    scratch = Path(quanke.config["INSTANCE_PATH"]) / f"contract-{name}-{uuid.uuid4().hex[:6]}.db"
    probe = Quanke({**quanke.config, "DATABASE_URL": f"sqlite:///{scratch}"},
                   plugins=quanke.plugins)
    try:
        migrate.upgrade(probe)
        migrate.downgrade(probe, f"{name}@base")
        migrate.upgrade(probe)
        if not migrate.is_current(probe):
            return [f"migrations of {name} do not reach their head"]
        diff = [d for d in migrate.schema_diff(probe)]
        if diff:
            return [f"migrated schema differs from the models: {diff[:3]}"]
    except Exception as exc:  # noqa: BLE001
        return [f"migrations of {name} fail: {exc!r}"]
    finally:
        probe.close()
        scratch.unlink(missing_ok=True)
    return []


# -- pytest fixtures --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy."""
    root = tmp_path_factory.mktemp("template")
    path = root / "template.db"
    quanke = runtime(f"sqlite:///{path}", root)
    migrated(quanke)
    quanke.close()
    return path


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Argon2 at production cost is ~0.3 s a hash and :func:`seed_world` creates 12 staff:
    tests hash cheaply (verification still goes through argon2)."""
    from argon2 import PasswordHasher

    from core.people import users
    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original


@pytest.fixture
def quanke(sqlite_template, tmp_path) -> Iterator[Quanke]:
    """A runtime on a fresh copy of the migrated SQLite template (one per test)."""
    path = tmp_path / "quanke.db"
    shutil.copy(sqlite_template, path)
    q = runtime(f"sqlite:///{path}", tmp_path)
    yield q
    q.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a PostgreSQL database private to this test run, migrated; dropped at the end."""
    with postgres_database() as url:
        q = runtime(url, Path("/tmp"))
        migrated(q)
        q.close()
        yield url


@pytest.fixture
def pg_quanke(pg_url, tmp_path) -> Iterator[Quanke]:
    """A runtime on the run's PostgreSQL database, emptied before the test."""
    q = runtime(pg_url, tmp_path)
    truncate_all(q)
    yield q
    q.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_quanke(request) -> Quanke:
    """The test runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("quanke" if request.param == "sqlite" else "pg_quanke")


@pytest.fixture
def world(quanke) -> World:
    """The seeded :class:`World` (department ``sample_dept``); plugins override this fixture
    with ``seed_world(quanke, department=<their department>)``."""
    return seed_world(quanke)


@pytest.fixture
def app(quanke):
    """The Flask app (``web.create_app``) on the test's runtime, ``TESTING`` on."""
    flask_app = quanke.web_app()
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.fixture
def client(app):
    """Flask test client of :func:`app`."""
    return app.test_client()


@pytest.fixture
def counter_worker(world) -> User:
    """全科社工 at the world's first street centre."""
    return world.counter


@pytest.fixture
def approver(world) -> User:
    """审批人员 of the world's department."""
    return world.approver


@pytest.fixture
def citizen(world) -> Citizen:
    """A registered citizen with an applicant record (resident ID) and a phone."""
    return world.citizen
