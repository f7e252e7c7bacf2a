"""`quanke backup` / `quanke restore`: PostgreSQL (pg_dump/pg_restore) and SQLite round trips
with the audit chain still verifying after the restore."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from core.platform import audit
from core.ops.backup import BackupError, backup, kind_of, restore
from core.platform.models import Application
from core.testing import drive_to, postgres_database, runtime, seed_world, truncate_all


def _cli(url, tmp_path, *args):
    env = {**os.environ, "DATABASE_URL": url, "QUANKE_INSTANCE_PATH": str(tmp_path)}
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "core.ops.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def _state(quanke):
    with quanke.db.session() as s:
        apps = sorted((a.number, a.state) for a in s.scalars(select(Application)))
        events = s.scalar(select(func.count()).select_from(audit.AuditEvent))
    return apps, events


@pytest.mark.postgres
def test_postgres_backup_restore_round_trip_keeps_the_audit_chain(pg_url, tmp_path):
    quanke = runtime(pg_url, tmp_path)
    truncate_all(quanke)
    world = seed_world(quanke)
    for state in ("accepted", "in_review", "approved", "rejected"):
        drive_to(world, state)
    before = _state(quanke)
    assert len(before[0]) == 4 and before[1] > 4

    dump = tmp_path / "quanke.dump"
    done = _cli(pg_url, tmp_path, "backup", str(dump))
    assert done.returncode == 0, done.stderr[-2000:]
    assert kind_of(dump) == "postgresql" and "已备份" in done.stdout
    assert "PGPASSWORD" not in done.stdout

    # life goes on after the backup: one more application …
    drive_to(world, "accepted")
    assert len(_state(quanke)[0]) == 5
    quanke.close()

    # … restored into a fresh, empty database (a new server)
    with postgres_database("quanke_restore") as fresh:
        done = _cli(fresh, tmp_path, "restore", "--yes", str(dump))
        assert done.returncode == 0, done.stderr[-2000:]
        restored = runtime(fresh, tmp_path)
        try:
            assert _state(restored) == before
            from core.ops import migrate
            assert migrate.is_current(restored)
        finally:
            restored.close()
        verify = _cli(fresh, tmp_path, "audit", "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr[-2000:]

    # … and over the live database, replacing what changed since
    done = _cli(pg_url, tmp_path, "restore", "--yes", str(dump))
    assert done.returncode == 0, done.stderr[-2000:]
    again = runtime(pg_url, tmp_path)
    try:
        assert _state(again) == before
    finally:
        again.close()
    verify = _cli(pg_url, tmp_path, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr[-2000:]


def test_sqlite_backup_restore_round_trip(quanke, tmp_path):
    world = seed_world(quanke)
    drive_to(world, "approved")
    before = _state(quanke)
    target = backup(quanke, tmp_path / "b" / "quanke.sqlite")
    assert kind_of(target) == "sqlite"
    drive_to(world, "accepted")
    assert _state(quanke) != before
    restore(quanke, target)
    assert _state(quanke) == before
    with quanke.db.session() as s:
        assert audit.verify(s).ok


def test_restore_refuses_a_foreign_file_and_the_wrong_kind(quanke, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(BackupError, match="不是 Quanke 备份文件"):
        restore(quanke, junk)
    pg_like = tmp_path / "pg.dump"
    pg_like.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(BackupError, match="不能直接恢复"):
        restore(quanke, pg_like)


def test_restore_asks_before_overwriting(quanke, tmp_path):
    target = backup(quanke, tmp_path / "q.sqlite")
    done = subprocess.run([sys.executable, "-m", "core.ops.cli", "restore", str(target)],
                          env={**os.environ, "DATABASE_URL": quanke.config["DATABASE_URL"],
                               "QUANKE_INSTANCE_PATH": str(tmp_path)},
                          input="n\n", capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "覆盖" in done.stdout
