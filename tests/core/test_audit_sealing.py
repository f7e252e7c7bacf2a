"""The audit sealer: appends never wait on each other, one sealer chains them afterwards.

Concurrent audited writes on PostgreSQL all end up in one unbroken chain; tampering with a
sealed event is found; events a crashed process committed but never sealed are sealed by
the next sealer run; with Redis the sealer is a deduplicated job.
"""
import os
import subprocess
import sys
import threading
import uuid

import pytest
from click.testing import CliRunner
from redis import Redis
from sqlalchemy import func, select, text

from core.platform import audit
from core.platform.audit import AuditEvent, AuditHead
from core.ops.cli import main
from core.testing import REDIS_TEST_URL, drive_to, runtime, seed_world


def _write(quanke, n, actor="test"):
    for i in range(n):
        with quanke.db.session() as s:
            audit.record(s, actor=actor, action="test.write", object_type="thing", object_id=i,
                         data={"i": i})


def _unsealed(quanke):
    with quanke.db.session() as s:
        return audit.unsealed_count(s)


def _cli_verify(quanke, *extra):
    env = {"DATABASE_URL": quanke.db.url, "QUANKE_INSTANCE_PATH": quanke.config["INSTANCE_PATH"]}
    return CliRunner().invoke(main, ["audit", "verify", *extra], env=env)


def test_an_event_is_sealed_right_after_its_commit(any_quanke):
    _write(any_quanke, 3)
    with any_quanke.db.session() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        head = s.get(AuditHead, 1)
        assert [e.seq for e in events] == [1, 2, 3]
        assert events[0].prev_hash == audit.GENESIS and events[1].prev_hash == events[0].hash
        assert (head.seq, head.hash) == (3, events[-1].hash)
        assert audit.verify(s).ok


def test_a_rolled_back_transaction_leaves_no_event_and_no_gap(any_quanke):
    _write(any_quanke, 1)
    with pytest.raises(RuntimeError):
        with any_quanke.db.session() as s:
            audit.record(s, actor="test", action="test.lost", object_type="thing", object_id=9)
            s.flush()
            raise RuntimeError("the change fails after its event was written")
    _write(any_quanke, 1)
    with any_quanke.db.session() as s:
        assert [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))] == \
            ["test.write", "test.write"]
        result = audit.verify(s)
    assert result.ok and result.checked == 2 and result.unsealed == 0


@pytest.mark.postgres
def test_concurrent_audited_writes_end_up_in_one_unbroken_chain(pg_quanke):
    threads, per_thread = 8, 25
    errors = []

    def writer(k):
        try:
            _write(pg_quanke, per_thread, actor=f"thread:{k}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with pg_quanke.db.session() as s:
        result = audit.verify(s)
        seqs = s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        per_actor = dict(s.execute(select(AuditEvent.actor, func.count())
                                   .group_by(AuditEvent.actor)).all())
    assert result.ok, str(result)
    assert result.checked == threads * per_thread and result.unsealed == 0
    assert seqs == list(range(1, threads * per_thread + 1))
    assert per_actor == {f"thread:{k}": per_thread for k in range(threads)}


@pytest.mark.parametrize("tamper, problem", [
    ("UPDATE audit_events SET data = '{\"i\": 99}' WHERE seq = 3", "记录被修改"),
    ("UPDATE audit_events SET seq = NULL, hash = NULL, prev_hash = NULL WHERE seq = 3",
     "有记录被删除"),
])
def test_tampering_after_sealing_is_found_even_if_the_sealer_runs_again(any_quanke, tamper,
                                                                        problem):
    _write(any_quanke, 5)
    with any_quanke.db.engine.begin() as conn:
        conn.execute(text(tamper))
    audit.seal(any_quanke.db.engine)  # a "re-sealed" event does not hide the change
    bad = _cli_verify(any_quanke)
    assert bad.exit_code == 1
    assert "seq=3" in bad.output and problem in bad.output


def test_events_of_a_process_that_died_before_sealing_are_sealed_by_the_next_run(any_quanke):
    world = seed_world(any_quanke)
    drive_to(world, "accepted")
    sealed_before = _cli_verify(any_quanke)
    assert sealed_before.exit_code == 0
    any_quanke.db.audit_sealer = lambda: None   # commits happen, the sealer never runs
    app = drive_to(world, "in_review")
    _write(any_quanke, 2)
    waiting = _unsealed(any_quanke)
    assert waiting == 5                          # file, accept, claim and the two writes
    still = _cli_verify(any_quanke)
    assert still.exit_code == 0                  # the sealed part is intact …
    assert f"另有 {waiting} 条事件尚未封链" in still.output   # … and the rest is reported
    done = _cli_verify(any_quanke, "--seal")
    assert done.exit_code == 0, done.output
    assert f"已封链 {waiting} 条事件" in done.output and "尚未封链" not in done.output
    with any_quanke.db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(
            AuditEvent.application_id == app.id).order_by(AuditEvent.seq))]
    assert actions == ["file", "accept", "claim"]
    assert _unsealed(any_quanke) == 0


@pytest.mark.postgres
@pytest.mark.redis
def test_with_redis_the_sealer_is_one_deduplicated_job(pg_url, tmp_path):
    from core.testing import truncate_all
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    quanke = runtime(pg_url, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix)
    truncate_all(quanke)
    redis = Redis.from_url(REDIS_TEST_URL)
    try:
        _write(quanke, 4)
        assert _unsealed(quanke) == 4                    # nothing sealed in the request
        seals = [j for j in quanke.jobs.queue.get_jobs() if j.args[0] == "core.platform.audit.seal_job"]
        assert len(seals) == 1                           # four commits, one pending job
        env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS_TEST_URL,
               "QUANKE_QUEUE_PREFIX": prefix, "QUANKE_INSTANCE_PATH": str(tmp_path)}
        done = subprocess.run([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        with quanke.db.session() as s:
            assert audit.verify(s).checked == 4
        assert _unsealed(quanke) == 0
        _write(quanke, 1)                                # the marker went with the job
        assert len([j for j in quanke.jobs.queue.get_jobs()
                    if j.args[0] == "core.platform.audit.seal_job"]) == 1
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        quanke.close()
