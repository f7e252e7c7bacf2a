"""The rq worker as ``quanke worker`` runs it: the simple (non-forking) worker keeps job
timeouts and the kill -9 recovery, and certificates are rendered before receipts and letters.

(The forking worker's kill -9 behaviour is in tests/ops/test_ops_worker_kill.py.)
"""
import gc
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from redis import Redis
from rq import Retry
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

from core.ops import worker
from core import acceptance
from core.platform.models import Document
from core.testing import REDIS_TEST_URL, drive_to, runtime, seed_world

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_runtime(tmp_path, sqlite_template):
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    shutil.copy(sqlite_template, tmp_path / "worker.db")  # migrated
    db = f"sqlite:///{tmp_path}/worker.db"
    quanke = runtime(db, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix,
                     RENDER_DOCUMENTS_INLINE=True)
    redis = Redis.from_url(REDIS_TEST_URL)
    env = {**os.environ, "DATABASE_URL": db, "REDIS_URL": REDIS_TEST_URL,
           "QUANKE_QUEUE_PREFIX": prefix, "QUANKE_INSTANCE_PATH": str(tmp_path)}
    env.pop("QUANKE_WORKER_CLASS", None)  # as configured by default
    try:
        yield quanke, env
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        quanke.close()


def _burst(env, timeout=120):
    done = subprocess.run([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                          env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_the_default_worker_does_not_fork_and_still_stops_a_job_at_its_timeout(redis_runtime):
    quanke, env = redis_runtime
    slow = quanke.jobs.queue.enqueue("time.sleep", 30, job_timeout=1)
    quick = quanke.jobs.enqueue("core.testing.flaky_job", key=f"{quanke.config['QUEUE_PREFIX']}-n",
                                failures=0)
    t0 = time.monotonic()
    _burst(env)
    assert time.monotonic() - t0 < 25                         # not the 30 s the job wanted
    slow.refresh()
    quick.refresh()
    assert slow.get_status() == "failed" and "JobTimeoutException" in slow.latest_result().exc_string
    assert quick.get_status() == "finished"                   # the worker went on after it


def test_a_killed_simple_worker_s_job_is_retried_after_its_timeout(redis_runtime):
    quanke, env = redis_runtime
    job = quanke.jobs.queue.enqueue("time.sleep", 60, job_timeout=20, retry=Retry(max=1))
    proc = subprocess.Popen([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while job.get_status(refresh=True) != "started":
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
        assert not _children(proc.pid)                        # no work horse: the job runs here
        os.kill(proc.pid, signal.SIGKILL)                     # a crash mid-job
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    registry = StartedJobRegistry(queue=quanke.jobs.queue)
    [(_, expiry)] = quanke.jobs.redis.zrange(registry.key, 0, -1, withscores=True)
    assert expiry - time.time() <= 20 + 60 + 5                # job timeout + 60 s, then it is free
    assert job.get_status(refresh=True) == "started"          # nobody finished it
    registry.cleanup(timestamp=expiry + 1)                    # the next maintenance after expiry
    job.refresh()
    assert job.get_status() in ("queued", "scheduled") and job.retries_left == 0  # retried
    assert job.id not in FailedJobRegistry(queue=quanke.jobs.queue).get_job_ids()


def _children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_the_licence_is_rendered_before_the_receipt_and_letter_queued_ahead_of_it(redis_runtime):
    quanke, env = redis_runtime
    world = seed_world(quanke)
    app = drive_to(world, "issued")
    with quanke.db.session() as s:
        kinds = {d.id: d.kind for d in s.query(Document).filter_by(application_id=app.id)}
    queued = {q.name.rsplit("-", 1)[-1] if "documents-high" not in q.name else "high":
              sorted(kinds[j.args[1]["document_id"]] for j in q.get_jobs()
                     if j.args and j.args[0] == "core.papers.issuance.render_document")
              for q in quanke.jobs.worker_queues()}
    assert queued == {"high": ["certificate"], "default": ["decision_approve", "receipt"]}
    ids = {kinds[j.args[1]["document_id"]]: j.id for q in quanke.jobs.worker_queues()
           for j in q.get_jobs() if j.args and j.args[0] == "core.papers.issuance.render_document"}
    previous = worker._worker_runtime
    try:  # in this process: the worker needs the test kit's sample service
        worker.run_worker(quanke, burst=True, with_cron=False)
    finally:
        worker._worker_runtime = previous
        gc.unfreeze()
    done = {kind: Job.fetch(job_id, connection=quanke.jobs.redis) for kind, job_id in ids.items()}
    assert {k: j.get_status() for k, j in done.items()} == dict.fromkeys(ids, "finished")
    # enqueued last, run first
    assert done["certificate"].ended_at <= done["receipt"].started_at
    assert done["certificate"].ended_at <= done["decision_approve"].started_at
    with quanke.db.session() as s:
        assert all(d.sha256 for d in s.query(Document).filter_by(application_id=app.id))


def test_accepts_queue_one_seal_one_dispatch_and_a_render_per_receipt_and_the_worker_does_them(
        redis_runtime):
    """After-commit work goes to Redis together (the seal request with the other jobs): three
    accepts leave one sealer job, one outbox sender and three receipt renders, and nothing
    is done in the request; one burst of the worker seals, sends and renders all of it."""
    from core.platform import audit
    from core.platform.models import OutboxMessage
    from core.testing import file_at_counter
    quanke, _env = redis_runtime
    world = seed_world(quanke)
    apps = [file_at_counter(world) for _ in range(3)]
    for app in apps:
        acceptance.accept(quanke, world.acceptor, app.id)
    queued = [j.args[0] for q in quanke.jobs.worker_queues() for j in q.get_jobs()]
    assert sorted(queued) == sorted(["core.platform.audit.seal_job", "core.papers.issuance.render_document",
                                     "core.papers.issuance.render_document",
                                     "core.papers.issuance.render_document",
                                     "core.jobs.outbox.dispatch_pending"])
    with quanke.db.session() as s:
        assert s.query(audit.AuditEvent).filter(audit.AuditEvent.seq.is_(None)).count() > 0
        assert s.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).count() == 6
    previous = worker._worker_runtime
    try:
        worker.run_worker(quanke, burst=True, with_cron=False)
    finally:
        worker._worker_runtime = previous
        gc.unfreeze()
    with quanke.db.session() as s:
        assert s.query(audit.AuditEvent).filter(audit.AuditEvent.seq.is_(None)).count() == 0
        assert audit.verify(s).ok
        assert s.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).count() == 0
        receipts = s.query(Document).filter(Document.kind == "receipt",
                                            Document.application_id.in_([a.id for a in apps])).all()
        assert len(receipts) == 3 and all(d.sha256 for d in receipts)
