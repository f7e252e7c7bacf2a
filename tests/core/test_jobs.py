"""Jobs: inline without Redis, a real rq worker process with it; outbox; overdue sweep."""
import datetime as dt
import os
import subprocess
import sys
import uuid

import pytest
from redis import Redis
from sqlalchemy import select

from core.platform import audit
from core import acceptance
from core.platform.models import Application, OutboxMessage
from core.approval.overdue import sweep_overdue
from core.testing import REDIS_TEST_URL, drive_to, runtime, seed_world


def _outbox(quanke):
    with quanke.db.session() as s:
        return s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_inline_jobs_send_the_outbox_after_commit(world, caplog):
    import logging
    caplog.set_level(logging.INFO, logger="core.jobs.outbox")
    app = drive_to(world, "accepted")
    messages = _outbox(world.quanke)
    to_applicant = [m for m in messages if m.recipient_kind == "applicant"]
    assert to_applicant and all(m.sent_at is not None for m in to_applicant)
    assert app.receipt_no in to_applicant[-1].body
    assert "已受理" in caplog.text


def test_a_refused_transition_writes_no_notification(world):
    app = drive_to(world, "submitted")
    before = len(_outbox(world.quanke))
    with pytest.raises(Exception):
        acceptance.refuse(world.quanke, world.counter, app.id, reasons=" ")
    assert len(_outbox(world.quanke)) == before


def test_overdue_sweep_flags_notifies_and_never_changes_state(world):
    quanke = world.quanke
    late = drive_to(world, "in_review")
    on_time = drive_to(world, "accepted")
    with quanke.db.session() as s:
        s.get(Application, late.id).due_date = dt.date(2026, 1, 5)
    assert sweep_overdue(quanke, day=dt.date(2026, 1, 7)) == 1
    assert sweep_overdue(quanke, day=dt.date(2026, 1, 7)) == 0      # idempotent
    with quanke.db.session() as s:
        row = s.get(Application, late.id)
        assert row.overdue and row.state == "in_review" and row.overdue_since == dt.date(2026, 1, 6)
        assert not s.get(Application, on_time.id).overdue
        events = [e.action for e in s.scalars(select(audit.AuditEvent)
                                              .where(audit.AuditEvent.application_id == late.id))]
    assert events[-1] == "mark_overdue"
    notes = [m for m in _outbox(quanke) if m.event == "overdue"]
    assert len(notes) == 1 and notes[0].recipient == "sample_dept"


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_rq_worker_process_runs_the_jobs(pg_url, tmp_path):
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    quanke = runtime(pg_url, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix)
    from core.testing import truncate_all
    truncate_all(quanke)
    redis = Redis.from_url(REDIS_TEST_URL)
    try:
        world = seed_world(quanke)
        drive_to(world, "accepted")
        drive_to(world, "accepted")
        pending = [m for m in _outbox(quanke) if m.recipient_kind == "applicant"]
        assert len(pending) == 2 and all(m.sent_at is None for m in pending)  # queued, not sent
        dispatches = [j for j in quanke.jobs.queue.get_jobs()
                      if j.args and j.args[0] == "core.jobs.outbox.dispatch_pending"]
        assert len(dispatches) == 1                                  # deduplicated by job id
        env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS_TEST_URL,
               "QUANKE_QUEUE_PREFIX": prefix, "QUANKE_INSTANCE_PATH": str(tmp_path)}
        done = subprocess.run([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        sent = [m for m in _outbox(quanke) if m.recipient_kind == "applicant"]
        assert all(m.sent_at is not None for m in sent)
        assert "已受理" in done.stderr
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        quanke.close()


@pytest.mark.redis
def test_a_must_not_lose_job_is_retried_by_the_worker(tmp_path):
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    db = f"sqlite:///{tmp_path}/retry.db"
    quanke = runtime(db, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix,
                     JOB_RETRY_INTERVALS=[0, 0])
    redis = Redis.from_url(REDIS_TEST_URL)
    key = f"{prefix}-attempts"
    try:
        job = quanke.jobs.enqueue("core.testing.flaky_job", must_not_lose=True, key=key)
        env = {**os.environ, "DATABASE_URL": db, "REDIS_URL": REDIS_TEST_URL,
               "QUANKE_QUEUE_PREFIX": prefix, "QUANKE_INSTANCE_PATH": str(tmp_path)}
        done = subprocess.run([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        job.refresh()
        assert job.get_status() == "finished" and job.return_value() == 2
        assert int(redis.get(key)) == 2
    finally:
        for k in redis.scan_iter(f"*{prefix}*"):
            redis.delete(k)
        quanke.close()


@pytest.mark.redis
def test_the_scheduler_knows_the_core_jobs(tmp_path):
    from core.ops.worker import build_cron_scheduler
    quanke = runtime(f"sqlite:///{tmp_path}/c.db", tmp_path, REDIS_URL=REDIS_TEST_URL)
    try:
        jobs = {j.name: j for j in build_cron_scheduler(quanke).get_jobs()}
        assert jobs["overdue-sweep"].cron == "5 0 * * *"
        assert jobs["outbox-dispatch"].interval == 60
    finally:
        quanke.close()
