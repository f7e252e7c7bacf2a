"""Redis restarted (no persistence: everything in it is lost) while jobs are queued.

Nothing the database says is pending may be lost: notification rows stay unsent in the
``outbox`` table, a transition made while Redis is down still commits (its enqueue fails
quietly), and the scheduler's ``outbox-dispatch`` tick after the restart re-enqueues the
sweep that sends every one of them exactly once.

The test runs its own throw-away ``redis-server`` on a free loopback port (so colleagues'
tests on the shared Redis are not disturbed) and always stops it at the end.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
from redis import Redis
from sqlalchemy import select

from core.platform.models import OutboxMessage
from core.testing import drive_to, file_at_counter, runtime, seed_world, truncate_all

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server not installed")]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, port, directory):
        self.port, self.dir, self.proc = port, directory, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except Exception:  # noqa: BLE001
                time.sleep(0.1)
        raise AssertionError("private redis-server did not start")

    def crash(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)


def _pending(quanke):
    with quanke.db.session() as s:
        return s.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()


def test_redis_restart_loses_nothing_the_database_says_is_pending(pg_url, tmp_path):
    from core.ops.worker import build_cron_scheduler
    from core import acceptance
    redis = PrivateRedis(_free_port(), tmp_path)
    redis.start()
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    quanke = runtime(pg_url, tmp_path, REDIS_URL=redis.url, QUEUE_PREFIX=prefix)
    truncate_all(quanke)
    try:
        world = seed_world(quanke)
        accepted = [drive_to(world, "accepted") for _ in range(2)]
        waiting = file_at_counter(world)
        before = _pending(quanke)
        assert len(before) >= 2 and quanke.jobs.queue.count >= 1    # the dispatch job, queued

        redis.crash()                                               # everything in Redis is gone
        late = acceptance.accept(quanke, world.acceptor, waiting.id)   # Redis down: still commits
        assert late.state == "accepted"
        redis.start()
        assert quanke.jobs.queue.count == 0                         # the queued job was lost …
        pending = _pending(quanke)
        assert len(pending) == len(before) + 2                      # … the database was not
        receipts = [a.receipt_no for a in accepted] + [late.receipt_no]

        enqueued = build_cron_scheduler(quanke).enqueue_jobs()      # the scheduler's first tick
        assert "outbox-dispatch" in {j.name for j in enqueued}
        env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": redis.url,
               "QUANKE_QUEUE_PREFIX": prefix, "QUANKE_INSTANCE_PATH": str(tmp_path)}
        done = subprocess.run([sys.executable, "-m", "core.ops.cli", "worker", "--burst", "--no-cron"],
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert _pending(quanke) == []
        for receipt in receipts:                                    # each sent exactly once
            assert len(re.findall(rf"已受理.*{re.escape(receipt)}", done.stderr)) == 1, receipt
    finally:
        quanke.close()
        redis.crash()
