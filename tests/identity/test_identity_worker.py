"""Face checks on a real rq worker process against real Redis and PostgreSQL; a worker killed
in the middle of a check leaves nothing stuck: the check is run again."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from redis import Redis
from sqlalchemy import func, select

from core.identity.enrolment import enrol
from core.identity.models import FaceCheck, FaceFrame
from core.identity.verification import JOB, face_check_status, start_face_check
from core.platform.models import Application
from core.testing import REDIS_TEST_URL, drive_to, runtime, seed_world, truncate_all

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
SERVICE = "business_license.individual"   # a built-in service the worker process knows


@pytest.fixture
def setup(pg_url, tmp_path, astronaut_png):
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    quanke = runtime(pg_url, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix)
    truncate_all(quanke)
    redis = Redis.from_url(REDIS_TEST_URL)
    world = seed_world(quanke)
    enrol(quanke, world.counter, photo=astronaut_png, applicant_id=world.citizen.applicant_id)
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS_TEST_URL,
           "QUANKE_QUEUE_PREFIX": prefix, "QUANKE_INSTANCE_PATH": str(tmp_path)}
    try:
        yield quanke, world, env
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        quanke.close()


def _worker(env, timeout=300):
    done = subprocess.run([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                          env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _row(quanke, check_id):
    with quanke.db.session() as s:
        return s.get(FaceCheck, check_id)


def _frames(quanke):
    with quanke.db.session() as s:
        return s.scalar(select(func.count(FaceFrame.id)))


def test_a_real_rq_worker_process_runs_face_checks(setup, kit, blink_frames):
    quanke, world, env = setup
    passing = drive_to(world, "draft", SERVICE)
    failing = drive_to(world, "draft", SERVICE)
    ok = start_face_check(quanke, world.citizen, passing.id, blink_frames, ip="10.9.0.1")
    bad = start_face_check(quanke, world.citizen, failing.id, kit.identical_burst(10), ip="10.9.0.1")
    assert not ok["done"] and ok["status"] == "pending" and not bad["done"]     # queued, not run here
    jobs = [j for j in quanke.jobs.queue.get_jobs() if j.args and j.args[0] == JOB]
    assert len(jobs) == 2 and all(j.retries_left for j in jobs)              # must-not-lose: retried
    _worker(env)
    ok = face_check_status(quanke, world.citizen, ok["id"])
    bad = face_check_status(quanke, world.citizen, bad["id"])
    assert ok["status"] == "passed" and ok["match"] and ok["liveness"], ok
    assert bad["status"] == "failed" and bad["message"] == "请眨眼", bad
    assert _frames(quanke) == 0
    with quanke.db.session() as s:
        assert "face" in s.get(Application, passing.id).identity_passed       # recorded by the worker
        assert "face" not in s.get(Application, failing.id).identity_passed
    timings = _row(quanke, ok["id"]).timings
    print(f"\nworker timings: {timings}")
    assert timings["queue_wait_ms"] >= 0 and timings["total_ms"] > 0


def test_killing_the_worker_mid_check_leaves_nothing_stuck(setup, blink_frames):
    quanke, world, env = setup
    draft = drive_to(world, "draft", SERVICE)
    check = start_face_check(quanke, world.citizen, draft.id, blink_frames)
    log = open(os.path.join(quanke.config["INSTANCE_PATH"], "worker.log"), "w")
    proc = subprocess.Popen([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while _row(quanke, check["id"]).status != "running":
        assert proc.poll() is None and time.monotonic() < deadline, "the worker never started the check"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)                   # worker and work-horse, mid-check
    proc.wait(timeout=30)
    log.close()
    row = _row(quanke, check["id"])
    assert row.status == "running" and row.run == 1 and row.finished_at is None
    assert _frames(quanke) == 10                          # the frames survive the crash
    # The portal keeps polling; once the lease has run out the check is queued again.
    after_lease = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=quanke.config.get(
        "FACE_JOB_LEASE_SECONDS", 60) + 5)
    status = face_check_status(quanke, world.citizen, check["id"], at=after_lease)
    assert status["status"] == "pending" and not status["done"]
    _worker(env)
    status = face_check_status(quanke, world.citizen, check["id"])
    assert status["status"] == "passed", status
    row = _row(quanke, check["id"])
    assert row.run == 2 and row.frames_deleted_at is not None and _frames(quanke) == 0
    with quanke.db.session() as s:
        app = s.get(Application, draft.id)
        assert app.state == "draft" and "face" in app.identity_passed     # the applicant can go on
