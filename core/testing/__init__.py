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
``citizen``, ``signed_in`` (a :class:`Browser` signed in as a world user or citizen).
Helpers: :func:`drive_to` puts an application into any state through :mod:`core.workflow`
(:func:`new_applicant` makes an applicant of any age or kind for it); :func:`check_plugin`
runs the contract checks every plugin must pass; :mod:`core.testing.browser` has the web
helpers (CSRF tokens, the login pages, SMS codes).

Test runs never share state: PostgreSQL tests use a database created for the run (dropped
at the end), Redis tests a queue prefix unique to the run.

Everything is imported from here (pytest finds the fixtures on this module; job names such as
``core.testing.flaky_job`` resolve here). The modules: ``sample`` (the sample plugin),
``databases`` (runtimes, PostgreSQL, truncation), ``seeding`` (the world, new applicants),
``driving`` (:func:`drive_to`, snapshots), ``browser`` (web helpers), ``contract``
(:func:`check_plugin`) and ``fixtures``.
"""
from __future__ import annotations

from core.testing.browser import (
    Browser,
    citizen_login,
    csrf_token,
    login,
    sign_in,
    sms_code,
)
from core.testing.contract import check_plugin
from core.testing.databases import (
    PG_ADMIN_URL,
    REDIS_TEST_URL,
    RUN_ID,
    RUN_KEYS,
    migrated,
    postgres_database,
    runtime,
    truncate_all,
)
from core.testing.driving import PAUSED, drive_to, file_at_counter, snapshot
from core.testing.fixtures import (
    any_quanke,
    app,
    approver,
    citizen,
    client,
    counter_worker,
    pg_quanke,
    pg_url,
    quanke,
    quick_password_hashing,
    signed_in,
    run_data_keys,
    sqlite_template,
    world,
)
from core.testing.sample import (
    SAMPLE_PLUGIN,
    SAMPLE_SERVICE,
    TINY_PNG,
    SamplePermitForm,
    SamplePlugin,
    flaky_job,
)
from core.testing.seeding import PASSWORD, WORLD_STAFF, World, new_applicant, seed_world

__all__ = [
    # the sample plugin and test data
    "SAMPLE_PLUGIN", "SAMPLE_SERVICE", "SamplePermitForm", "SamplePlugin", "TINY_PNG", "flaky_job",
    # databases and runtimes
    "PG_ADMIN_URL", "REDIS_TEST_URL", "RUN_ID", "RUN_KEYS", "migrated", "postgres_database", "runtime",
    "truncate_all",
    # the world and driving applications
    "PASSWORD", "WORLD_STAFF", "World", "seed_world", "new_applicant", "PAUSED", "drive_to",
    "file_at_counter", "snapshot",
    # the web: signed-in clients, CSRF tokens, logins, SMS codes
    "Browser", "csrf_token", "sign_in", "login", "citizen_login", "sms_code",
    # the plugin contract
    "check_plugin",
    # pytest fixtures
    "any_quanke", "app", "approver", "citizen", "client", "counter_worker", "pg_quanke", "pg_url",
    "quanke", "quick_password_hashing", "run_data_keys", "signed_in", "sqlite_template", "world",
]
