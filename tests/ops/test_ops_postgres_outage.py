"""PostgreSQL stopped (immediate shutdown, like a crash) while requests arrive.

During the outage every request that needs the database gets a clean 503 (JSON for the
API, with ``Retry-After``) and ``/readyz`` says 503; ``/healthz`` still answers. After the
restart the same requests succeed (the pool's pre-ping replaces dead connections) and the
action attempted during the outage was not half-written: it simply did not happen, and
redoing it applies it once.

The test runs its own throw-away PostgreSQL cluster (``initdb`` as the ``postgres`` user,
free loopback port) so colleagues using the shared server are not disturbed; it is always
stopped and removed at the end.
"""
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.platform import audit
from core.platform.models import Application, User
from core.testing import file_at_counter, migrated, runtime, seed_world

PG_BIN = Path("/usr/lib/postgresql") / (os.listdir("/usr/lib/postgresql")[0] if Path("/usr/lib/postgresql").is_dir() else "x") / "bin"
pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not (PG_BIN / "initdb").exists() or not shutil.which("runuser"),
                                 reason="PostgreSQL server binaries / runuser not available")]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCluster:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="quanke-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = _free_port()
        self.data = self.dir / "data"

    def _as_postgres(self, *cmd, check=True):
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*as_user, *cmd], capture_output=True, text=True, timeout=120,
                              check=check, cwd=self.dir)

    def init(self):
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")

    def start(self):
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                          str(self.dir / "log"), "-o",
                          f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                          "start")

    def stop(self, mode="immediate"):
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                          "stop", check=False)

    def url(self, db="postgres"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    c = PrivateCluster()
    try:
        c.init()
        c.start()
        yield c
    finally:
        c.remove()


def test_postgres_outage_gives_clean_503s_and_service_resumes(cluster, tmp_path):
    from core.people.tokens import create_token
    from web import create_app
    quanke = migrated(runtime(cluster.url(), tmp_path))
    try:
        world = seed_world(quanke)
        first, second = file_at_counter(world), file_at_counter(world)
        with quanke.db.session() as s:
            token = create_token(s, s.get(User, world.acceptor.id), name="outage")
        client = create_app(quanke=quanke).test_client()
        auth = {"Authorization": f"Bearer {token}"}

        assert client.post(f"/api/v1/applications/{first.id}/accept", headers=auth).status_code == 200
        assert client.get("/readyz").status_code == 200
        browser = create_app(quanke=quanke).test_client()          # a signed-in counter worker
        with browser.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = f"u:{world.counter.id}", True
        assert browser.get("/counter/").status_code == 200

        cluster.stop("immediate")                                   # crash
        during = [client.post(f"/api/v1/applications/{second.id}/accept", headers=auth),
                  client.get(f"/api/v1/applications/{first.id}", headers=auth),
                  client.get("/api/v1/applications", headers=auth)]
        for response in during:
            assert response.status_code == 503, response.get_data(as_text=True)[:500]
            assert response.get_json()["error"] == "service_unavailable"
            assert response.headers["Retry-After"]
        page = browser.get("/counter/")
        assert page.status_code == 503 and "数据库" in page.get_data(as_text=True)
        assert page.mimetype == "text/html"
        ready = client.get("/readyz")
        assert ready.status_code == 503 and not ready.get_json()["checks"]["database"]["ok"]
        assert client.get("/healthz").status_code == 200             # the process is alive

        cluster.start()
        assert client.get("/readyz").status_code == 200
        assert client.get(f"/api/v1/applications/{first.id}", headers=auth).status_code == 200
        assert browser.get("/counter/").status_code == 200
        with quanke.db.session() as s:                              # nothing half-written
            assert s.get(Application, second.id).state == "submitted"
        again = client.post(f"/api/v1/applications/{second.id}/accept", headers=auth)
        assert again.status_code == 200
        with quanke.db.session() as s:
            assert s.get(Application, second.id).state == "accepted"
            accepts = s.scalar(select(func.count()).select_from(audit.AuditEvent).where(
                audit.AuditEvent.application_id == second.id, audit.AuditEvent.action == "accept"))
            assert accepts == 1
            assert audit.verify(s).ok
    finally:
        quanke.close()
