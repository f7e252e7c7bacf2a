"""The kit's pytest fixtures; ``pytest_plugins = ["core.testing"]`` registers them (the package
imports every one).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from core.platform.models import Citizen, User
from core.runtime import Quanke
from core.testing.databases import (
    RUN_KEYS,
    migrated,
    postgres_database,
    run_keys_json,
    runtime,
    truncate_all,
)
from core.testing.seeding import World, seed_world


@pytest.fixture(scope="session", autouse=True)
def run_data_keys():
    """Runtimes a test builds itself (``Quanke({...})``) use the run's keys too, through
    ``QUANKE_DATA_KEYS`` as a container deployment would; :func:`runtime` writes them to a key
    file under the instance folder instead."""
    before = os.environ.get("QUANKE_DATA_KEYS")
    os.environ["QUANKE_DATA_KEYS"] = run_keys_json()
    yield RUN_KEYS
    if before is None:
        os.environ.pop("QUANKE_DATA_KEYS", None)
    else:
        os.environ["QUANKE_DATA_KEYS"] = before


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
def pg_url(tmp_path_factory) -> Iterator[str]:
    """URL of a PostgreSQL database private to this test run, migrated; dropped at the end."""
    with postgres_database() as url:
        q = runtime(url, tmp_path_factory.mktemp("pg"))
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


@pytest.fixture
def signed_in(app, world):
    """``signed_in("counter")`` → a :class:`core.testing.browser.Browser` on :func:`app`
    signed in as that world user or citizen (``signed_in()``: nobody); it posts forms with their
    CSRF token. SMS codes are kept in memory (:func:`core.testing.browser.sms_code`)."""
    from core.people.sms_login import MemorySmsSender
    from core.testing.browser import Browser, sign_in
    world.quanke.config["SMS_SENDER"] = "memory"
    MemorySmsSender.sent.clear()

    def make(who: str | None = None) -> Browser:
        client = app.test_client()
        if who is not None:
            sign_in(client, world.users[who] if who in world.users else world.citizens[who])
        return Browser(client)
    return make
