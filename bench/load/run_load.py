"""Bounded load test on loopback: gunicorn (deploy/gunicorn.conf.py) + PostgreSQL (+ Redis).

    python bench/load/run_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/quanke_load \
        [--redis-url redis://127.0.0.1:6379/0] [--workers 4] [--clients 16] [--seconds 30]

The database must be migrated and hold data (``quanke db upgrade`` and ``quanke demo-data``,
``--scale district`` for the district). The script creates API tokens for the demo users,
starts gunicorn with N workers, then runs a mixed traffic of counter / approver / citizen
portal / monitoring requests from ``--clients`` threads for ``--seconds`` seconds and reports
throughput, p50/p95/p99 per kind, errors, and CPU seconds and peak RSS per gunicorn worker.
In the same run it measures a bare Flask endpoint doing one INSERT (same gunicorn settings,
same database) and prints the ratio. Everything runs on 127.0.0.1 and stops at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import random
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
    proc = subprocess.Popen([str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), app],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    raise SystemExit("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])


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


def run_clients(plan, base: str, clients: int, seconds: float) -> dict:
    results: dict[str, list] = {}
    errors: dict[str, int] = {}
    samples: dict[str, str] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed):
        rnd = random.Random(seed)
        while time.monotonic() < stop:
            kind, method, path, headers, body = rnd.choice(plan)
            request = urllib.request.Request(base + path, method=method, headers=headers, data=body)
            started = time.perf_counter()
            problem = None
            try:
                with urllib.request.urlopen(request, timeout=30) as r:
                    r.read()
                    ok = r.status < 500
            except urllib.error.HTTPError as e:
                ok = e.code < 500
                problem = f"HTTP {e.code}"
            except OSError as e:
                ok = False
                problem = repr(e)[:200]
            elapsed = time.perf_counter() - started
            with lock:
                results.setdefault(kind, []).append(elapsed)
                if not ok:
                    errors[kind] = errors.get(kind, 0) + 1
                    samples.setdefault(kind, problem)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": results, "errors": errors, "samples": samples, "seconds": seconds}


def summarise(run: dict) -> dict:
    out = {}
    for kind, values in sorted(run["latencies"].items()):
        values = sorted(values)
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        out[kind] = {"requests": len(values), "rps": round(len(values) / run["seconds"], 1),
                     "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1),
                     "p99_ms": round(q[98] * 1000, 1), "errors": run["errors"].get(kind, 0)}
        if kind in run["samples"]:
            out[kind]["first_error"] = run["samples"][kind]
    total = sum(len(v) for v in run["latencies"].values())
    out["_total"] = {"requests": total, "rps": round(total / run["seconds"], 1),
                     "errors": sum(run["errors"].values())}
    return out


def tokens_for(database_url: str, usernames) -> dict:
    from sqlalchemy import select

    from core.models import User
    from core.runtime import Quanke
    from core.tokens import create_token
    quanke = Quanke({"DATABASE_URL": database_url, "REDIS_URL": None})
    try:
        with quanke.db.session() as s:
            return {u.username: create_token(s, u, name="load-test")
                    for u in s.scalars(select(User).where(User.username.in_(list(usernames)))).unique().all()}
    finally:
        quanke.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    tokens = tokens_for(args.database_url, ["counter1", "approver1", "admin"])
    if not tokens:
        raise SystemExit("no demo users: run `quanke db upgrade && quanke demo-data` first")
    auth = {name: {"Authorization": f"Bearer {t}", "Accept": "application/json"}
            for name, t in tokens.items()}
    counter = auth.get("counter1") or next(iter(auth.values()))
    approver = auth.get("approver1") or counter
    admin = auth.get("admin") or counter
    plan = [
        ("counter", "GET", "/api/v1/services", counter, None),
        ("counter", "GET", "/api/v1/applications?per_page=20", counter, None),
        ("counter", "GET", "/api/v1/tickets", counter, None),
        ("approver", "GET", "/api/v1/applications?per_page=20&state=accepted", approver, None),
        ("approver", "GET", "/api/v1/follow-ups", approver, None),
        ("admin", "GET", "/api/v1/stats", admin, None),
        ("portal", "GET", "/", {}, None),
        ("portal", "GET", "/portal/", {}, None),
        ("monitoring", "GET", "/readyz", {}, None),
    ]
    env = {**os.environ, "DATABASE_URL": args.database_url,
           "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="quanke-load-prom-")}
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url

    report = {"workers": args.workers, "clients": args.clients, "seconds": args.seconds}
    port = free_port()
    proc = start_gunicorn("web:create_app()", env, port, args.workers, ROOT)
    try:
        workers = children(proc.pid)
        before = {pid: usage(pid) for pid in workers}
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
    finally:
        proc.terminate()
        proc.wait(timeout=60)

    bare_dir = Path(tempfile.mkdtemp(prefix="quanke-bare-"))
    (bare_dir / "bare_app.py").write_text(BARE_APP)
    bare_env = {**env, "PYTHONPATH": str(bare_dir), "QUANKE_ENV": "development"}
    port = free_port()
    proc = start_gunicorn("bare_app:app", bare_env, port, args.workers, bare_dir)
    try:
        bare = summarise(run_clients([("bare_insert", "POST", "/insert", {}, b"")],
                                     f"http://127.0.0.1:{port}", args.clients, args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    report["bare_flask_insert"] = bare
    report["ratio_quanke_to_bare_rps"] = round(
        report["quanke"]["_total"]["rps"] / max(bare["_total"]["rps"], 0.1), 3)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
