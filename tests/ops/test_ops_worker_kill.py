"""kill -9 of an rq worker (parent and work horse) in the middle of a job.

The job is ``core.approval.rules.withdraw_expired_corrections`` (a real scheduled job that changes
application states, one transaction per application). The test holds a row lock on the
second application, so the worker is caught mid-job: the first application committed, the
second's transaction open. After the kill:

* PostgreSQL rolls the open transaction back (nothing half-written);
* rq still lists the job as *started*; once its heartbeat expires (rq: the job monitoring
  interval + 60 s, 90 s by default) the next registry maintenance of any worker either
  retries it (``must_not_lose=True``: ``Retry`` has retries left) or moves it to the
  FailedJobRegistry with ``AbandonedJobError`` (visible in ``/metrics`` as
  ``quanke_jobs{registry="failed"}``). The test runs that maintenance with the clock past
  the expiry instead of waiting 90 s;
* the retried job finishes the work: every application withdrawn exactly once (one audit
  event, one notification each) and the audit chain verifies.
"""
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from redis import Redis
from sqlalchemy import create_engine, func, select, text

from core.contract.legal_clock import LegalClock
from core.platform import audit
from core.platform.models import Application, Decision, OutboxMessage
from core.testing import REDIS_TEST_URL, drive_to, runtime, seed_world, truncate_all

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _worker(pg_url, prefix, tmp_path):
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS_TEST_URL,
           "QUANKE_QUEUE_PREFIX": prefix, "QUANKE_INSTANCE_PATH": str(tmp_path),
           "QUANKE_WORKER_CLASS": "fork"}  # a work horse per job (tests/core/test_worker.py: simple)
    return subprocess.Popen([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)


def _wait(predicate, timeout=90, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


WITHDRAWING_CLOCK = LegalClock(deemed_withdrawn=True)


def _two_expired_corrections(quanke):
    world = seed_world(quanke)
    apps = [drive_to(world, "correction_requested") for _ in range(2)]
    with quanke.db.session() as s:
        for decision in s.scalars(select(Decision).where(Decision.kind == "return")):
            decision.correction_due = dt.date(2026, 1, 5)
        for app in apps:  # a service whose statute deems silence a withdrawal (法律援助法第四十三条)
            s.get(Application, app.id).clock_rule = WITHDRAWING_CLOCK.to_record()
    return [a.id for a in apps]


def _facts(quanke, app_ids):
    with quanke.db.session() as s:
        states = [s.get(Application, i).state for i in app_ids]
        withdraw_events = [s.scalar(select(func.count()).select_from(audit.AuditEvent).where(
            audit.AuditEvent.application_id == i, audit.AuditEvent.action == "withdraw"))
            for i in app_ids]
        notes = [s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.application_id == i, OutboxMessage.event == "deemed_withdrawn"))
            for i in app_ids]
        chain_ok = audit.verify(s).ok
    return states, withdraw_events, notes, chain_ok


def _kill_mid_job(quanke, pg_url, prefix, tmp_path, app_ids):
    """Start a worker, catch it blocked on the second application, kill -9 its group."""
    db_name = pg_url.rsplit("/", 1)[1]
    locker = create_engine(pg_url)
    conn = locker.connect()
    worker = None
    try:
        trans = conn.begin()
        conn.execute(text("SELECT id FROM applications WHERE id = :i FOR UPDATE"), {"i": app_ids[1]})
        worker = _worker(pg_url, prefix, tmp_path)

        def blocked():
            with quanke.db.engine.connect() as c:
                return c.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :d "
                    "AND wait_event_type = 'Lock'"), {"d": db_name}).scalar_one() >= 1
        _wait(blocked, what="the worker to block on the locked application")
        states, events, _, _ = _facts(quanke, app_ids)
        assert states == ["withdrawn", "correction_requested"] and events == [1, 0]
        horses = _children(worker.pid)          # rq's work horse runs in its own session
        assert horses, "the work horse should be running the job"
        for pid in [worker.pid, *horses]:       # a crash: worker and work horse die at once
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=30)
        trans.rollback()
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        conn.close()
        locker.dispose()

    def rolled_back():  # the killed worker's backend notices the closed socket and aborts
        with quanke.db.engine.connect() as c:
            return c.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND state <> 'idle' "
                "AND pid <> pg_backend_pid() AND query ILIKE '%applications%'"),
                {"d": db_name}).scalar_one() == 0
    _wait(rolled_back, timeout=60, what="the killed transaction to end")


def _expire_abandoned(quanke):
    """What rq's registry maintenance does once the dead worker's heartbeat expired."""
    from rq.registry import StartedJobRegistry
    registry = StartedJobRegistry(queue=quanke.jobs.queue)
    entries = quanke.jobs.redis.zrange(registry.key, 0, -1, withscores=True)
    assert len(entries) == 1                                        # still "started"
    expiry = entries[0][1]
    assert expiry - time.time() <= 30 + 60 + 5                      # heartbeat TTL, not job timeout
    registry.cleanup(timestamp=expiry + 1)


@pytest.fixture
def setting(pg_url, tmp_path):
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    quanke = runtime(pg_url, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix,
                     JOB_RETRY_INTERVALS=[0, 0])
    truncate_all(quanke)
    redis = Redis.from_url(REDIS_TEST_URL)
    try:
        yield quanke, prefix
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        quanke.close()


def test_kill_9_mid_job_then_retry_finishes_the_work_exactly_once(setting, pg_url, tmp_path):
    quanke, prefix = setting
    app_ids = _two_expired_corrections(quanke)
    job = quanke.jobs.enqueue("core.approval.rules.withdraw_expired_corrections", must_not_lose=True,
                              day="2026-01-07")
    _kill_mid_job(quanke, pg_url, prefix, tmp_path, app_ids)
    job.refresh()
    assert job.get_status() == "started"                            # nobody finished it

    _expire_abandoned(quanke)
    job.refresh()
    assert job.get_status() in ("queued", "scheduled") and job.retries_left == 1

    done = _worker(pg_url, prefix, tmp_path)
    out, _ = done.communicate(timeout=180)
    assert done.returncode == 0, out[-2000:]
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == 1   # only B was left
    states, events, notes, chain_ok = _facts(quanke, app_ids)
    assert states == ["withdrawn", "withdrawn"]
    assert events == [1, 1] and notes == [1, 1]                     # nothing done twice
    assert chain_ok


def test_kill_9_of_a_job_without_retries_is_visibly_failed(setting, pg_url, tmp_path):
    from rq.registry import FailedJobRegistry

    from web import create_app
    quanke, prefix = setting
    app_ids = _two_expired_corrections(quanke)
    job = quanke.jobs.enqueue("core.approval.rules.withdraw_expired_corrections", day="2026-01-07")
    _kill_mid_job(quanke, pg_url, prefix, tmp_path, app_ids)
    _expire_abandoned(quanke)
    job.refresh()
    assert job.get_status() == "failed"
    assert job.id in FailedJobRegistry(queue=quanke.jobs.queue).get_job_ids()
    metrics = create_app(quanke=quanke).test_client().get("/metrics").get_data(as_text=True)
    assert f'quanke_jobs{{queue="{prefix}-default",registry="failed"}} 1.0' in metrics
    # the database is consistent: A withdrawn once, B untouched and still waiting
    states, events, notes, chain_ok = _facts(quanke, app_ids)
    assert states == ["withdrawn", "correction_requested"] and events == [1, 0] and chain_ok
    # the scheduled job runs again tomorrow (or is requeued by an operator) and finishes B
    quanke.jobs.enqueue("core.approval.rules.withdraw_expired_corrections", day="2026-01-07")
    done = _worker(pg_url, prefix, tmp_path)
    out, _ = done.communicate(timeout=180)
    assert done.returncode == 0, out[-2000:]
    states, events, notes, chain_ok = _facts(quanke, app_ids)
    assert states == ["withdrawn", "withdrawn"] and events == [1, 1] and notes == [1, 1]
