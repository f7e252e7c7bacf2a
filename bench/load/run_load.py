"""Bounded load test on loopback: gunicorn (deploy/gunicorn.conf.py) + PostgreSQL (+ Redis).

    # quick (a few minutes): a fresh database with the small district, 2 workers, 20 s
    python bench/load/run_load.py --quick

    # full (the lead's run on an idle machine): the 1,000,000-application district
    python bench/load/run_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/quanke_load \
        --prepare district --redis-url redis://127.0.0.1:6379/0 --workers 4 --clients 16 --seconds 60

``--prepare district|district-small`` creates the database when missing, migrates it and
loads ``quanke demo-data --scale …`` (idempotent: a second run adds nothing); without it the
database must already be migrated and hold data. The script creates API tokens and signed-in
sessions for the demo users, starts gunicorn with N workers, then runs mixed traffic from
``--clients`` threads for ``--seconds`` seconds:

* counter: the workbench page, files an application through the API for a random district
  resident and accepts it (writes: application, materials, receipt number, audit chain);
* approver: the department queue page over the whole district, an application page, claims
  an accepted application through the API;
* portal: a signed-in citizen's home page and service list, the public home page;
* monitoring: ``/readyz``.

It reports throughput, p50/p95/p99 per kind, errors (any 5xx or connection failure), and CPU
seconds and peak RSS per gunicorn worker, with the load average before and after.
In the same run it measures a bare Flask endpoint doing one INSERT (same gunicorn settings,
same database) and prints the ratio. Everything runs on 127.0.0.1 and stops at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
GUNICORN = Path(sys.executable).with_name("gunicorn")

BARE_APP = '''
import os
from flask import Flask
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
with engine.begin() as c:
    c.execute(text("CREATE TABLE IF NOT EXISTS bench_bare (id serial PRIMARY KEY, at timestamptz DEFAULT now())"))
app = Flask(__name__)
@app.post("/insert")
def insert():
    with engine.begin() as c:
        c.execute(text("INSERT INTO bench_bare DEFAULT VALUES"))
    return {"ok": True}
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app: str, env: dict, port: int, workers: int, cwd: Path) -> subprocess.Popen:
    env = {**env, "QUANKE_BIND": f"127.0.0.1:{port}", "QUANKE_WEB_WORKERS": str(workers),
           "QUANKE_ACCESS_LOG": "/dev/null"}
    # Logs to a file: a pipe nobody reads fills up and blocks every worker on its next log line.
    log_path = Path(tempfile.mkdtemp(prefix="quanke-load-log-")) / "gunicorn.log"
    log_file = open(log_path, "wb")
    proc = subprocess.Popen([str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), app],
                            cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    proc.log_path = log_path
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except urllib.error.HTTPError:
            return proc                                   # answering (404 for the bare app)
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("gunicorn did not start: " + log_path.read_text(errors="replace")[-2000:])


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(entry))
    return out


def usage(pid: int) -> tuple[float, int]:
    """CPU seconds (user+system) and peak RSS bytes of one process."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    peak = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) * 1024
    return cpu, peak


def tree_cpu(master: int) -> float:
    """CPU seconds of gunicorn's master and all its workers, those recycled by max_requests
    included (a reaped worker's time is added to the master's cutime/cstime)."""
    stat = Path(f"/proc/{master}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(v) for v in stat[11:15]) / os.sysconf("SC_CLK_TCK")
    for pid in children(master):
        try:
            total += usage(pid)[0]
        except OSError:
            pass                                            # exited between listing and reading
    return total


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (e.g. to the login page) is reported as itself, not as the page it leads to."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def run_clients(plan, base: str, clients: int, seconds: float) -> dict:
    """``plan``: (kind, action) pairs; ``action(rnd, call)`` makes one or more requests with
    ``call(method, path, headers, body) -> (status, bytes)``, each timed under ``kind``."""
    results: dict[str, list] = {}
    errors: dict[str, int] = {}
    samples: dict[str, str] = {}
    statuses: dict[str, dict] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed):
        rnd = random.Random(seed)
        while time.monotonic() < stop:
            kind, action = rnd.choice(plan)

            def call(method, path, headers=None, body=None, kind=kind):
                request = urllib.request.Request(base + path, method=method, headers=headers or {},
                                                 data=body)
                started = time.perf_counter()
                problem, status, data = None, 0, b""
                try:
                    with OPENER.open(request, timeout=30) as r:
                        data, status = r.read(), r.status
                except urllib.error.HTTPError as e:
                    status, data = e.code, e.read()
                    if status >= 500:
                        problem = f"HTTP {e.code} {path}"
                except OSError as e:
                    problem = f"{path}: {e!r}"[:200]
                elapsed = time.perf_counter() - started
                with lock:
                    results.setdefault(kind, []).append(elapsed)
                    counts = statuses.setdefault(kind, {})
                    counts[status] = counts.get(status, 0) + 1
                    if problem:
                        errors[kind] = errors.get(kind, 0) + 1
                        samples.setdefault(kind, problem)
                return status, data
            action(rnd, call)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": results, "errors": errors, "samples": samples, "seconds": seconds,
            "statuses": statuses}


def get(path, headers=None):
    def action(rnd, call):
        call("GET", path, headers)
    return action


def summarise(run: dict) -> dict:
    out = {}
    for kind, values in sorted(run["latencies"].items()):
        values = sorted(values)
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        out[kind] = {"requests": len(values), "rps": round(len(values) / run["seconds"], 1),
                     "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1),
                     "p99_ms": round(q[98] * 1000, 1), "errors": run["errors"].get(kind, 0),
                     "statuses": dict(sorted((str(k), v) for k, v in run["statuses"].get(kind, {}).items()))}
        if kind in run["samples"]:
            out[kind]["first_error"] = run["samples"][kind]
    total = sum(len(v) for v in run["latencies"].values())
    out["_total"] = {"requests": total, "rps": round(total / run["seconds"], 1),
                     "errors": sum(run["errors"].values())}
    return out


def prepare(database_url: str, scale: str) -> None:
    """Create the database when missing, migrate it, load the demo district (idempotent)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).first():
            c.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    for args in (["db", "upgrade"], ["demo-data", "--scale", scale]):
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "core.ops.cli", *args], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        print(f"prepare: quanke {' '.join(args)} took {time.monotonic() - started:.0f} s", file=sys.stderr)


def world_for(database_url: str, secret: str) -> dict:
    """API tokens, signed session cookies and the ids the traffic needs."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    from sqlalchemy import func, select

    from core.platform.models import Applicant, Application, Citizen, User
    from core.runtime import Quanke
    from core.people.tokens import create_token
    signer = Flask("load")
    signer.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)

    def cookie(key):
        value = serializer.dumps({"_user_id": key, "_fresh": True, "seen": int(time.time()) + 3600})
        return {"Cookie": f"session={value}"}
    quanke = Quanke({"DATABASE_URL": database_url, "REDIS_URL": None})
    try:
        with quanke.db.session() as s:
            users = {u.username: u for u in s.scalars(select(User).where(
                User.username.in_(["counter1", "approver1", "admin"]))).unique()}
            if "counter1" not in users:
                raise SystemExit("no demo users: run with --prepare or `quanke demo-data` first")
            tokens = {name: create_token(s, u, name="load-test") for name, u in users.items()}
            # The district's residents have 139… phones; phones are encrypted, so read them back.
            from core.ops.district.residents import district_people
            district = [applicant_id for applicant_id, _phone in district_people(s)][:5000]
            people = s.execute(select(Applicant.id, Applicant.name, Applicant.id_number)
                               .where(Applicant.id.in_(district)).order_by(Applicant.id)).all()
            citizens = list(s.scalars(select(Citizen.id).where(Citizen.applicant_id.in_(district[:5000]))
                                      .limit(500)))
            # Applications an approver may open (accepted or later; submitted work is the counter's).
            apps = list(s.scalars(select(Application.id).where(Application.state.in_(
                ("accepted", "in_review", "approved", "rejected", "issued", "delivered")))
                .order_by(func.random()).limit(2000)))
            # Each filing uses the service's example form for the person it is filed for, so
            # the services' own checks (operator = applicant, own archive…) can pass.
            forms = {service.code: (service, [m.code for m in service.materials
                                              if m.required and not m.alternative_to])
                     for service in quanke.plugins.services.values()
                     if "counter" in service.channels and service.example}
            users_ids = {name: u.id for name, u in users.items()}
        departments = sorted(quanke.plugins.departments)
    finally:
        quanke.close()
    return {"tokens": tokens, "cookie": cookie, "people": people, "citizens": citizens,
            "apps": apps, "forms": forms, "users": users_ids, "departments": departments}


def build_plan(w: dict) -> list:
    api = {name: {"Authorization": f"Bearer {t}", "Accept": "application/json",
                  "Content-Type": "application/json"} for name, t in w["tokens"].items()}
    counter_page = w["cookie"](f"u:{w['users']['counter1']}")
    approver_page = w["cookie"](f"u:{w['users']['approver1']}")
    citizens = [w["cookie"](f"c:{c}") for c in w["citizens"][:50]] or [{}]
    services = sorted(w["forms"])

    def file_and_accept(rnd, call):
        service, paper = w["forms"][rnd.choice(services)]
        person_id, name, id_number = rnd.choice(w["people"])
        body = json.dumps({"service_code": service.code, "applicant_id": person_id,
                           "form_data": service.example_for(name, id_number), "paper": paper,
                           "consent": True}).encode()
        status, data = call("POST", "/api/v1/applications", api["counter1"], body)
        if status == 201:   # a check may still refuse acceptance (a 403 the counter would see)
            app_id = json.loads(data)["id"]
            call("POST", f"/api/v1/applications/{app_id}/accept", api["counter1"],
                 json.dumps({"warn_reason": "压测：已当面核对"}).encode())

    def claim_one(rnd, call):
        status, data = call("GET", "/api/v1/applications?state=accepted&per_page=20", api["approver1"])
        if status == 200:
            items = json.loads(data).get("items") or []
            if items:
                call("POST", f"/api/v1/applications/{rnd.choice(items)['id']}/claim",
                     api["approver1"], b"{}")

    def approver_page_for(rnd, call):
        call("GET", f"/approvals/{rnd.choice(w['departments'])}", approver_page)

    def application_page(rnd, call):
        call("GET", f"/approvals/applications/{rnd.choice(w['apps'])}", approver_page)

    def portal(rnd, call):
        who = rnd.choice(citizens)
        call("GET", "/portal/", who)
        call("GET", "/portal/services", who)

    return [
        ("counter", get("/counter/", counter_page)),
        ("counter", get("/api/v1/applications?per_page=20", api["counter1"])),
        ("counter_file_accept", file_and_accept),
        ("approver", approver_page_for),
        ("approver", application_page),
        ("approver_claim", claim_one),
        ("portal", portal),
        ("portal", get("/")),
        ("monitoring", get("/readyz")),
    ]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def stop_gunicorn(proc) -> None:
    """Quick shutdown (SIGINT): the measurement is over, nothing in flight matters, and a
    graceful stop waits for the slowest request of the run."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1/quanke_load_small")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--prepare", choices=["district", "district-small"], default=None)
    parser.add_argument("--quick", action="store_true",
                        help="small district, 2 workers, 8 clients, 20 s (a few minutes in all)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    if args.quick:
        args.prepare = args.prepare or "district-small"
        args.workers, args.clients, args.seconds = 2, 8, 20
    if args.prepare:
        prepare(args.database_url, args.prepare)

    secret = "load-test-" + "x" * 40
    w = world_for(args.database_url, secret)
    plan = build_plan(w)
    env = {**os.environ, "DATABASE_URL": args.database_url, "QUANKE_SECRET_KEY": secret,
           "QUANKE_LOG_LEVEL": "WARNING",
           "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="quanke-load-prom-")}
    env.pop("REDIS_URL", None)
    prefix = f"quanke-load-{os.getpid()}"
    if args.redis_url:
        # Jobs the traffic enqueues go to a queue of this run only (no worker runs here);
        # rate-limit counters too. Both are removed at the end.
        env.update(REDIS_URL=args.redis_url, QUANKE_QUEUE_PREFIX=prefix)

    report = {"workers": args.workers, "clients": args.clients, "seconds": args.seconds,
              "load_average_before": load_average()}
    port = free_port()
    proc = start_gunicorn("web:create_app()", env, port, args.workers, ROOT)
    try:
        workers = children(proc.pid)
        # Warm-up (templates compiled, pools filled, plugins' first imports): not measured.
        run_clients(plan, f"http://127.0.0.1:{port}", args.workers * 2, min(10.0, args.seconds / 2))
        before = {pid: usage(pid) for pid in workers}
        tree_before = tree_cpu(proc.pid)
        report["quanke"] = summarise(run_clients(plan, f"http://127.0.0.1:{port}", args.clients,
                                                 args.seconds))
        report["per_worker"] = {}
        for pid in workers:
            try:
                cpu, peak = usage(pid)
            except OSError:
                continue                                   # recycled by max_requests
            report["per_worker"][pid] = {"cpu_s": round(cpu - before[pid][0], 2),
                                         "cpu_pct": round(100 * (cpu - before[pid][0]) / args.seconds, 1),
                                         "peak_rss_mb": round(peak / 2**20, 1)}
        cpu_total = tree_cpu(proc.pid) - tree_before
        report["quanke_cpu_ms_per_request"] = round(
            1000 * cpu_total / max(report["quanke"]["_total"]["requests"], 1), 1)
    finally:
        stop_gunicorn(proc)

    bare_dir = Path(tempfile.mkdtemp(prefix="quanke-bare-"))
    (bare_dir / "bare_app.py").write_text(BARE_APP)
    bare_env = {**env, "PYTHONPATH": str(bare_dir), "QUANKE_ENV": "development"}
    port = free_port()
    proc = start_gunicorn("bare_app:app", bare_env, port, args.workers, bare_dir)
    try:
        bare_before = tree_cpu(proc.pid)
        bare = summarise(run_clients([("bare_insert", lambda rnd, call: call("POST", "/insert", {}, b""))],
                                     f"http://127.0.0.1:{port}", args.clients, args.seconds))
        bare_cpu = tree_cpu(proc.pid) - bare_before
        report["bare_cpu_ms_per_request"] = round(1000 * bare_cpu / max(bare["_total"]["requests"], 1), 2)
    finally:
        stop_gunicorn(proc)
    report["bare_flask_insert"] = bare
    report["load_average_after"] = load_average()
    if args.redis_url:
        from redis import Redis
        redis = Redis.from_url(args.redis_url)
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
    # CPU per request depends far less on other load on the machine than throughput does.
    report["ratio_quanke_to_bare_cpu_per_request"] = round(
        report["quanke_cpu_ms_per_request"] / max(report["bare_cpu_ms_per_request"], 0.01), 1)
    report["ratio_quanke_to_bare_rps"] = round(
        report["quanke"]["_total"]["rps"] / max(bare["_total"]["rps"], 0.1), 3)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
