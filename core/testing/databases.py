"""Test databases and runtimes: migrated SQLite copies, PostgreSQL databases private to the
run, emptied between tests; Redis queues under a prefix unique to the run.
"""
from __future__ import annotations

import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, text

from core.ops import migrate
from core.platform.db import Base
from core.runtime import Quanke
from core.testing.sample import SAMPLE_PLUGIN

PG_ADMIN_URL = os.environ.get("QUANKE_TEST_PG_ADMIN",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("QUANKE_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:8]


def _run_keys() -> dict:
    from core.platform.crypto.keys import new_key_document
    return new_key_document("SM4-GCM")


#: The data keys of this test run: generated fresh, never a fixed key in the repository. Every
#: runtime of the run gets them (the migrated SQLite template is copied into each test, and its
#: ciphertexts and key check values must read there).
RUN_KEYS = _run_keys()


def write_run_keys(instance: Path) -> Path:
    """The run's key file under ``instance/keys/`` (mode 0600), as a deployment keeps it."""
    from core.platform.crypto.keys import write_key_file
    path = Path(instance) / "keys" / "data-keys.json"
    if not path.exists():
        write_key_file(path, RUN_KEYS, exclusive=True)
    return path


def run_keys_json() -> str:
    return json.dumps(RUN_KEYS)


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


def runtime(url: str, tmp: Path, *, extra_plugins=(), **config) -> Quanke:
    """A runtime on database ``url`` with instance files under ``tmp``: jobs inline (no
    Redis), every installed plugin plus :data:`SAMPLE_PLUGIN` and ``extra_plugins`` (modules
    or objects with hook implementations, e.g. a plugin written inside a test); ``config``
    overrides settings."""
    # PDFs are rendered when first downloaded, so tests that never look at one skip the cost.
    base = {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "REDIS_URL": None,
            "QUEUE_PREFIX": f"quanke-test-{RUN_ID}", "RENDER_DOCUMENTS_INLINE": False}
    base.update(config)
    if not base.get("DATA_KEYS"):   # a key file, not the QUANKE_DATA_KEYS the kit also sets
        base["DATA_KEYS"] = None
        base["KEY_FILE"] = base.get("KEY_FILE") or str(write_run_keys(Path(tmp)))
    return Quanke(base, extra_plugins=[SAMPLE_PLUGIN, *extra_plugins])
