"""Benchmark: the web pages and API under gunicorn, on PostgreSQL with many applications.

Targets (issue 3): with 1,000,000 applications, the approver queue page and the counter's
applicant lookup each p95 ≤ 100 ms over HTTP; accepting over HTTP ≥ 150 per second on this
2-core machine; and the ratio to a bare Flask endpoint doing one insert, measured in the same
run under the same gunicorn settings.

    .venv/bin/python bench/web_bench.py [--applications 1000000] [--seconds 15]
                                        [--workers 2] [--threads 2] [--clients 8] [--centres 8]
    .venv/bin/python bench/web_bench.py --quick              # 20,000 applications, 5 s runs
    .venv/bin/python bench/web_bench.py --quick --only-accept --compare 2x4,4x2,3x1
    .venv/bin/python bench/web_bench.py --quick --profile    # statements and cProfile, in-process

Accept is measured as the API POST alone (``POST /api/v1/applications/<id>/accept`` with a
token), which is what a counter client or an integration sends; 8 clients work for counter
workers at 8 centres (receipt numbers run per centre and day, so one centre's accepts take
turns on its sequence row; ``--centres 1`` puts every client at one centre). Besides the rates
it prints the gunicorn workers' CPU per request (from /proc), which depends far less on what
else the machine is doing than the rates do, and the ratio to the bare insert endpoint
measured in the same run under the same gunicorn settings.

Creates its own database (dropped at the end) and its own Redis queue prefix (jobs such as
document rendering are queued, as in production, not run inside the request). Rows are
bulk-inserted (not through the workflow) to save time; the measured requests go through the
full stack: gunicorn → Flask → Flask-Login/CSRF → core.workflow → PostgreSQL.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-123"
SERVICE = "sample.permit"


# -- the WSGI apps gunicorn imports (``bench.web_bench:wsgi()`` / ``:baseline()``) ----------------

def _runtime():
    from core.runtime import Quanke
    from core.testing import SAMPLE_PLUGIN
    return Quanke({"DATABASE_URL": os.environ["WEBBENCH_DATABASE_URL"],
                   "INSTANCE_PATH": os.environ["WEBBENCH_INSTANCE"],
                   "REDIS_URL": os.environ.get("WEBBENCH_REDIS_URL") or None,
                   "QUEUE_PREFIX": os.environ["WEBBENCH_QUEUE_PREFIX"],
                   "SECRET_KEY": "bench-secret"}, extra_plugins=[SAMPLE_PLUGIN])


def wsgi():
    """The Quanke web app as deployed."""
    from web import create_app
    return create_app(quanke=_runtime())


def baseline():
    """A bare Flask endpoint doing one INSERT and returning JSON (the yardstick)."""
    from flask import Flask, jsonify
    from sqlalchemy import create_engine, text
    engine = create_engine(os.environ["WEBBENCH_DATABASE_URL"], pool_size=10, max_overflow=20,
                           pool_pre_ping=True)
    app = Flask("baseline")

    @app.post("/insert")
    def insert():
        with engine.begin() as conn:
            new_id = conn.execute(text("INSERT INTO bench_baseline (payload) VALUES (:p) RETURNING id"),
                                  {"p": "x" * 64}).scalar_one()
        return jsonify({"id": new_id})
    return app


# -- seeding ---------------------------------------------------------------------------------------

def seed(quanke, n_apps: int, n_applicants: int, n_targets: int, n_counters: int = 1) -> dict:
    from sqlalchemy import text
    from stdnum.cn import ric

    from core.ops import migrate
    from core.people import users
    from core.ops.demo import sync_departments
    from core.platform.models import Centre, CentreService
    from core.people.tokens import create_token
    t0 = time.perf_counter()
    migrate.upgrade(quanke)
    services = sorted(quanke.plugins.services.values(), key=lambda s: s.code)
    departments = sorted(quanke.plugins.departments)
    with quanke.db.session() as s:
        sync_departments(quanke, s)
        centres = []
        for i in range(1, 13):
            c = Centre(code=f"S{i:02d}", name=f"第{i}街道便民服务中心", level="street")
            c.services = [CentreService(service_code=x.code) for x in services]
            s.add(c)
            centres.append(c)
        s.flush()
        users._hasher = type(users._hasher)(time_cost=1, memory_cost=1024, parallelism=1)
        counter = users.create_user(s, username="bench_counter", name="压测社工", password=PASSWORD,
                                    roles=["counter"], centre_code="S01")
        users.create_user(s, username="bench_approver", name="压测审批",
                                     password=PASSWORD, roles=[f"approver:{d}" for d in departments])
        token = create_token(s, counter, name="bench")
        # one counter worker per centre accepting (receipt numbers run per centre and day, so
        # accepts at one centre take turns on its sequence row; a district spreads over centres)
        counters, tokens = [counter], [token]
        for k in range(2, n_counters + 1):
            other = users.create_user(s, username=f"bench_counter{k}", name=f"压测社工{k}",
                                      password=PASSWORD, roles=["counter"], centre_code=f"S{k:02d}")
            counters.append(other)
            tokens.append(create_token(s, other, name="bench"))
        centre_ids = [c.id for c in centres]
    print(f"  schema and staff: {time.perf_counter() - t0:.1f} s", flush=True)

    # applicants: valid resident IDs, written with COPY
    t0 = time.perf_counter()
    numbers = set()
    for i in range(n_applicants):
        body = f"320102{1950 + i % 60}{1 + (i // 60) % 12:02d}{1 + (i // 720) % 28:02d}{i % 1000:03d}"
        numbers.add(body + ric.calc_check_digit(body + "0"))
    numbers = sorted(numbers)
    # through the columns' own types: ID numbers and phones are stored encrypted (issue 18)
    from core.ops.district.bulk import _batched, _copy_rows
    from core.platform.models import Applicant
    columns = ["kind", "id_number", "id_number_index", "name", "phone", "created_at", "gender", "region_code"]
    for batch in _batched(numbers, 5000):
        with quanke.db.session() as s:
            _copy_rows(s, Applicant.__table__, columns,
                       [("person", n, n, f"申请人{n[-6:]}", "139" + n[-8:], "2026-01-01 00:00:00", "", n[:6])
                        for n in batch])
    print(f"  {len(numbers):,} applicants: {time.perf_counter() - t0:.1f} s", flush=True)

    # applications: one INSERT … SELECT over generate_series, spread over services,
    # centres, states and a year; open ones have due dates, some overdue.
    t0 = time.perf_counter()
    codes = "ARRAY[" + ",".join(f"'{x.code}'" for x in services) + "]"
    depts = "ARRAY[" + ",".join(f"'{x.department}'" for x in services) + "]"
    cids = "ARRAY[" + ",".join(str(c) for c in centre_ids) + "]"
    n_services, n_centres = len(services), len(centre_ids)
    with quanke.db.engine.begin() as conn:
        amin, amax = conn.execute(text("SELECT min(id), max(id) FROM applicants")).one()
        conn.execute(text(f"""
            INSERT INTO applications (number, service_code, department_code, state, channel, applicant_id,
                centre_id, delivery_method, form_data, on_behalf, consent_text, created_at, submitted_at,
                accepted_at, receipt_no, warn_reason, deadline_working_days, due_date, paused,
                extension_days, extension_reason, overdue, identity_passed)
            SELECT 'QKB' || lpad(g::text, 10, '0'), ({codes})[1 + g % {n_services}], ({depts})[1 + g % {n_services}],
                   st, 'counter', {amin} + (g::bigint * 7919) % ({amax} - {amin} + 1), ({cids})[1 + (g / 7) % {n_centres}],
                   'pickup', '{{}}'::json, true, '同意', created, created,
                   CASE WHEN st IN ('submitted') THEN NULL ELSE created + interval '1 hour' END,
                   CASE WHEN st IN ('submitted') THEN NULL ELSE 'B-' || g END, '', 5,
                   CASE WHEN st IN ('accepted', 'in_review') THEN (now() + ((g % 40) - 8) * interval '1 day')::date
                        ELSE (created + interval '7 days')::date END,
                   false, 0, '', st IN ('accepted', 'in_review') AND g % 40 < 8, '[]'::json
            FROM (SELECT g, now() - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute' AS created,
                         CASE WHEN g % 100 < 88 THEN 'delivered' WHEN g % 100 < 91 THEN 'accepted'
                              WHEN g % 100 < 93 THEN 'in_review' WHEN g % 100 < 95 THEN 'rejected'
                              WHEN g % 100 < 97 THEN 'issued' WHEN g % 100 < 98 THEN 'submitted'
                              ELSE 'withdrawn' END AS st
                  FROM generate_series(1, {n_apps}) AS g) AS src
        """))
    print(f"  {n_apps:,} applications: {time.perf_counter() - t0:.1f} s", flush=True)

    # the applications the accept benchmark accepts: submitted at S01, materials complete
    t0 = time.perf_counter()
    with quanke.db.engine.begin() as conn:
        service = quanke.service(SERVICE)
        conn.execute(text(f"""
            INSERT INTO applications (number, service_code, department_code, state, channel, applicant_id,
                centre_id, delivery_method, form_data, on_behalf, consent_text, created_at, submitted_at,
                warn_reason, paused, extension_days, extension_reason, overdue, identity_passed, filed_by_id)
            SELECT 'QKT' || lpad(g::text, 10, '0'), '{SERVICE}', '{service.department}', 'submitted', 'counter',
                   {amin} + (g::bigint * 104729) % ({amax} - {amin} + 1),
                   (ARRAY[{",".join(str(c) for c in centre_ids[:n_counters])}])[1 + g % {n_counters}], 'pickup',
                   '{{"purpose": "压测受理"}}'::json, true, '同意', now(), now(), '', false, 0, '', false,
                   '[]'::json, (ARRAY[{",".join(str(c.id) for c in counters)}])[1 + g % {n_counters}]
            FROM generate_series(1, {n_targets}) AS g"""))
        conn.execute(text("""
            INSERT INTO materials (application_id, code, status, filename, content_type, size, sha256, note, created_at)
            SELECT id, 'id_proof', 'paper', '', '', 0, '', '', now() FROM applications WHERE number LIKE 'QKT%'"""))
        by_centre = {c: [] for c in centre_ids[:n_counters]}
        for app_id, centre_id in conn.execute(text(
                "SELECT id, centre_id FROM applications WHERE number LIKE 'QKT%' ORDER BY id")):
            by_centre[centre_id].append(app_id)
        targets = [app_id for ids in by_centre.values() for app_id in ids]
        conn.execute(text("CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), payload text)"))
    with quanke.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  {n_targets:,} applications to accept + analyze: {time.perf_counter() - t0:.1f} s", flush=True)
    busiest = max(departments, key=lambda d: sum(1 for x in services if x.department == d))
    return {"token": token, "targets": targets, "numbers": numbers, "department": busiest,
            "tokens": tokens, "targets_by_centre": list(by_centre.values())}


# -- serving ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(target: str, env: dict, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # as deploy/gunicorn.conf.py: sync workers with one thread, gthread with more
    worker_class = "gthread" if threads > 1 else "sync"
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(ROOT), "--pythonpath", str(ROOT),
           "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", worker_class, "--threads", str(threads),
           "--log-level", "warning", "--timeout", "120", f"bench.web_bench:{target}"]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=open(Path(env["WEBBENCH_INSTANCE"]) / f"{target}.log", "w"),
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    import requests
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if requests.get(base + ("/healthz" if target.startswith("wsgi") else "/"), timeout=2).status_code < 500:
                return proc, base
        except requests.RequestException:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"gunicorn {target} did not start")


def cpu_seconds(proc: subprocess.Popen) -> float:
    """User + system CPU of gunicorn's workers (the master's children), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == proc.pid:       # ppid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


# -- load ----------------------------------------------------------------------------------------

def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def staff_session(base: str, username: str):
    import requests
    session = requests.Session()
    page = session.get(base + "/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = session.post(base + "/login", data={"csrf_token": token, "username": username, "password": PASSWORD},
                     allow_redirects=False)
    assert r.status_code == 302, r.status_code
    page = session.get(base + "/queue/S01").text
    session.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return session


def sequential(fn, n: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def concurrent(make_fn, clients: int, seconds: float) -> tuple[list[float], int, float]:
    """Each client thread calls its own fn until time is up; returns latencies, ok count, elapsed."""
    latencies: list[float] = []
    oks = [0] * clients
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    start = time.perf_counter()

    def worker(i):
        fn = make_fn(i)
        local = []
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            ok = fn()
            if ok is None:
                break
            local.append((time.perf_counter() - t) * 1000)
            oks[i] += bool(ok)
        with lock:
            latencies.extend(local)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, sum(oks), time.perf_counter() - start


def line(label: str, values: list[float]) -> str:
    return (f"{label:<44} n={len(values):<6} p50={statistics.median(values):7.1f} ms  "
            f"p95={pct(values, 95):7.1f} ms  p99={pct(values, 99):7.1f} ms")


def profile(env: dict, data: dict) -> int:
    """cProfile of the queue page, the lookup and accept through the Flask test client."""
    import cProfile
    import pstats
    app = wsgi()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "username": "bench_approver", "password": PASSWORD})
    url = f"/approvals/{data['department']}"
    client.get(url)
    from sqlalchemy import event
    statements: list[list] = []
    engine = app.extensions["quanke"].db.engine

    def listener(conn, cur, stmt, *a):
        statements.append([stmt, time.perf_counter()])

    def timer(*a):
        statements[-1][1] = time.perf_counter() - statements[-1][1]
    event.listen(engine, "before_cursor_execute", listener)
    event.listen(engine, "after_cursor_execute", timer)
    client.get(url)
    print(f"queue page: {len(statements)} statements")
    for stmt, took in statements:
        print(f"   {took * 1000:6.1f} ms", " ".join(stmt.split())[:150])
    statements.clear()
    api_client = app.test_client()
    mine = data["targets_by_centre"][0]     # the token's counter works at the first centre
    api_client.post(f"/api/v1/applications/{mine[-1]}/accept", json={},
                    headers={"Authorization": f"Bearer {data['token']}"})
    print(f"accept: {len(statements)} statements")
    for stmt, took in statements:
        print(f"   {took * 1000:6.1f} ms", " ".join(stmt.split())[:150])
    event.remove(engine, "before_cursor_execute", listener)
    event.remove(engine, "after_cursor_execute", timer)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for _ in range(20):
        assert client.get(url).status_code == 200
    prof.disable()
    print(f"queue page: {(time.perf_counter() - t) / 20 * 1000:.1f} ms each")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {data['token']}"}
    # without the profiler: wall and CPU per accept, and the share inside core.acceptance.accept.accept
    from core import acceptance
    inside, inside_cpu = [0.0], [0.0]
    real_accept = acceptance.accept

    def timed_accept(*a, **k):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return real_accept(*a, **k)
        finally:
            inside[0] += time.perf_counter() - t0
            inside_cpu[0] += time.process_time() - c0
    acceptance.accept = timed_accept
    batch = mine[20:220]
    t, c = time.perf_counter(), time.process_time()
    for app_id in batch:
        r = api.post(f"/api/v1/applications/{app_id}/accept", json={}, headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    acceptance.accept = real_accept
    n = len(batch)
    print(f"accept in-process, {n} sequential: {wall / n * 1000:.1f} ms wall, {cpu / n * 1000:.1f} ms CPU "
          f"(this process); inside acceptance.accept {inside[0] / n * 1000:.1f} ms wall "
          f"{inside_cpu[0] / n * 1000:.1f} ms CPU; web around it {(wall - inside[0]) / n * 1000:.1f} ms wall "
          f"{(cpu - inside_cpu[0]) / n * 1000:.1f} ms CPU  [load {os.getloadavg()[0]:.2f}]")
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for app_id in mine[:20]:
        r = api.post(f"/api/v1/applications/{app_id}/accept", json={}, headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)
    prof.disable()
    print(f"accept: {(time.perf_counter() - t) / 20 * 1000:.1f} ms each")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(r"wt-web|quanke|web/|core/|plugins/|redis|rq/", 40)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--applicants", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=15)
    # as deployed (deploy/gunicorn.conf.py): one worker per CPU, two threads each
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--centres", type=int, default=8,
                        help="accepting centres, one counter worker each (1 = every client at one centre)")
    parser.add_argument("--quick", action="store_true",
                        help="small data set and short runs (20,000 applications, 5 s): for a quick check")
    parser.add_argument("--compare", default="",
                        help="more gunicorn configurations to measure accept with, e.g. 2x4,4x1,6x1 "
                             "(workers x threads; 1 thread = sync worker)")
    parser.add_argument("--only-accept", action="store_true",
                        help="skip the queue page and lookup measurements")
    parser.add_argument("--profile", action="store_true",
                        help="profile the queue page and accept in-process instead of serving")
    args = parser.parse_args()
    if args.quick:
        args.applications, args.applicants = min(args.applications, 20_000), min(args.applicants, 5_000)
        args.seconds, args.samples = min(args.seconds, 5), min(args.samples, 100)

    from bench.machine import describe
    from core.testing import REDIS_TEST_URL, SAMPLE_PLUGIN, postgres_database
    from core.runtime import Quanke
    n_targets = max(5000, int(args.seconds * 400 * (1 + len(list(filter(None, args.compare.split(",")))))))
    prefix = f"webbench-{uuid.uuid4().hex[:8]}"
    instance = tempfile.mkdtemp(prefix="webbench-")
    print(f"Quanke web benchmark: {args.applications:,} applications, gunicorn {args.workers} workers × "
          f"{args.threads} threads, {args.clients} clients, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; {describe()}", flush=True)
    with postgres_database("quanke_webbench") as url:
        env = {"WEBBENCH_DATABASE_URL": url, "WEBBENCH_INSTANCE": instance,
               "WEBBENCH_REDIS_URL": REDIS_TEST_URL, "WEBBENCH_QUEUE_PREFIX": prefix}
        os.environ.update(env)
        quanke = Quanke({"DATABASE_URL": url, "INSTANCE_PATH": instance, "REDIS_URL": REDIS_TEST_URL,
                         "QUEUE_PREFIX": prefix}, extra_plugins=[SAMPLE_PLUGIN])
        print("seeding …", flush=True)
        n_counters = max(1, min(args.centres, 12))
        data = seed(quanke, args.applications, args.applicants, n_targets, n_counters)
        quanke.close()
        if args.profile:
            return profile(env, data)
        # client i works for the counter at centre i mod n (clients at one centre share it);
        # the iterators are shared by every configuration measured, so no target is reused
        per_centre, sharing = data["targets_by_centre"], -(-args.clients // n_counters)
        todos = [iter(per_centre[i % n_counters][i // n_counters::sharing]) for i in range(args.clients)]
        results = {}
        try:
            if not args.only_accept:
                app_proc, base = gunicorn("wsgi()", env, args.workers, args.threads)
                try:
                    pages(args, base, data, results)
                finally:
                    stop(app_proc)
            results.update(measure_accept(args, env, data, todos, args.workers, args.threads))
            compared = []
            for config in filter(None, (args.compare or "").split(",")):
                workers, _, threads = config.partition("x")
                compared.append((config, measure_accept(args, env, data, todos, int(workers), int(threads or 1))))
            results["compared"] = compared
        finally:
            try:
                import redis
                r = redis.Redis.from_url(REDIS_TEST_URL)
                keys = list(r.scan_iter(f"*{prefix}*"))
                if keys:
                    r.delete(*keys)
            except Exception:  # noqa: BLE001
                pass
    report(args, data, results, n_counters)
    return 0


def pages(args, base: str, data: dict, results: dict) -> None:
    """The approver queue page and the counter's applicant lookup (targets: p95 ≤ 100 ms)."""
    import requests
    # 1. approver queue page (HTML, signed in, menu counts included)
    approver = staff_session(base, "bench_approver")
    queue_url = f"{base}/approvals/{data['department']}"
    first = approver.get(queue_url)
    assert first.status_code == 200, first.status_code
    results["queue_seq"] = sequential(lambda: approver.get(queue_url).raise_for_status(), args.samples)
    page2 = f"{queue_url}?status=waiting&page=50"
    results["queue_deep"] = sequential(lambda: approver.get(page2).raise_for_status(), args.samples // 3)

    def queue_client(_i):
        s = staff_session(base, "bench_approver")
        return lambda: s.get(queue_url).status_code == 200
    results["queue_conc"] = concurrent(queue_client, 4, args.seconds / 2)

    # 2. counter applicant lookup (form post → applicant page), and the JSON lookup
    counter = staff_session(base, "bench_counter")
    rng = random.Random(1)
    numbers = data["numbers"]

    def lookup(session=counter, rng=rng):
        r = session.post(base + "/counter/applicant", allow_redirects=False, data={
            "csrf_token": session.csrf, "kind": "person", "id_number": rng.choice(numbers)})
        assert r.status_code == 302, r.status_code
        return True
    results["lookup_seq"] = sequential(lookup, args.samples)
    person_page = base + "/counter/applicants/" + str(rng.randint(1, len(numbers)))
    results["applicant_page"] = sequential(lambda: counter.get(person_page).raise_for_status(), args.samples // 3)
    headers = {"Authorization": f"Bearer {data['token']}"}
    api_s = requests.Session()
    results["lookup_api"] = sequential(lambda: api_s.get(
        base + "/api/v1/applicants", params={"id_number": rng.choice(numbers)}, headers=headers
    ).raise_for_status(), args.samples)

    def lookup_client(i):
        s = staff_session(base, "bench_counter")
        r = random.Random(100 + i)
        return lambda: lookup(s, r)
    results["lookup_conc"] = concurrent(lookup_client, 4, args.seconds / 2)


def measure_accept(args, env: dict, data: dict, todos: list, workers: int, threads: int) -> dict:
    """Accept over HTTP (the API POST alone, as an integration or a counter client sends it)
    with N clients, then the bare Flask insert under the same gunicorn settings."""
    import requests
    from bench.machine import StealMeter
    n_counters = len(data["tokens"])
    out = {}
    app_proc, base = gunicorn("wsgi()", env, workers, threads)
    try:
        def accept_client(i):
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {data['tokens'][i % n_counters]}"
            todo = todos[i]

            def go():
                app_id = next(todo, None)
                if app_id is None:
                    return None
                r = s.post(f"{base}/api/v1/applications/{app_id}/accept", json={})
                if r.status_code != 200:
                    print("accept failed", r.status_code, r.text[:200], flush=True)
                return r.status_code == 200
            return go
        # warm-up: every worker's first requests load templates, the calendar, pools
        concurrent(accept_client, args.clients, min(3.0, args.seconds / 2))
        cpu0 = cpu_seconds(app_proc)
        with StealMeter() as meter:
            out["accept"] = concurrent(accept_client, args.clients, args.seconds)
        out["accept_cpu"] = cpu_seconds(app_proc) - cpu0
        out["accept_shares"] = meter.shares
    finally:
        stop(app_proc)
    # the yardstick: a bare Flask endpoint doing one insert, same gunicorn settings
    base_proc, bbase = gunicorn("baseline()", env, workers, threads)
    try:
        def baseline_client(_i):
            s = requests.Session()
            return lambda: s.post(bbase + "/insert").status_code == 200
        concurrent(baseline_client, args.clients, min(3.0, args.seconds / 2))
        cpu0 = cpu_seconds(base_proc)
        with StealMeter() as meter:
            out["baseline"] = concurrent(baseline_client, args.clients, args.seconds)
        out["baseline_cpu"] = cpu_seconds(base_proc) - cpu0
        out["baseline_shares"] = meter.shares
    finally:
        stop(base_proc)
    return out


def report(args, data: dict, results: dict, n_counters: int) -> None:
    a_lat, a_ok, a_el = results["accept"]
    b_lat, b_ok, b_el = results["baseline"]
    accept_rate, base_rate = a_ok / a_el, b_ok / b_el
    print()
    print(f"Database: {args.applications:,} applications (+{len(data['targets']):,} to accept), "
          f"{len(data['numbers']):,} applicants, PostgreSQL; gunicorn {args.workers}×{args.threads} "
          f"({'gthread' if args.threads > 1 else 'sync'})")
    checks = []
    if "queue_seq" in results:
        q_lat, q_ok, q_el = results["queue_conc"]
        l_lat, l_ok, l_el = results["lookup_conc"]
        print(line("approver queue page, 1 client", results["queue_seq"]))
        print(line("approver queue page, waiting, page 50", results["queue_deep"]))
        print(line(f"approver queue page, 4 clients ({q_ok / q_el:.0f}/s)", q_lat))
        print(line("applicant lookup (form post), 1 client", results["lookup_seq"]))
        print(line(f"applicant lookup (form post), 4 clients ({l_ok / l_el:.0f}/s)", l_lat))
        print(line("applicant page, 1 client", results["applicant_page"]))
        print(line("applicant lookup (API), 1 client", results["lookup_api"]))
        checks += [("approver queue page p95 ≤ 100 ms", pct(results["queue_seq"], 95) <= 100),
                   ("applicant lookup p95 ≤ 100 ms", pct(results["lookup_seq"], 95) <= 100)]
    print(line(f"accept over HTTP, {args.clients} clients, {n_counters} centres", a_lat))
    print(line(f"bare Flask insert, {args.clients} clients", b_lat))
    print(f"accept throughput: {accept_rate:.0f}/s ({a_ok} in {a_el:.1f} s)   "
          f"bare insert: {base_rate:.0f}/s   ratio accept/bare = {accept_rate / base_rate:.2f} "
          f"(bare is {base_rate / accept_rate:.1f}× faster)")
    a_cpu, b_cpu = results["accept_cpu"] / max(a_ok, 1) * 1000, results["baseline_cpu"] / max(b_ok, 1) * 1000
    print(f"web worker CPU per request (gunicorn workers, user+system; PostgreSQL not included): "
          f"accept {a_cpu:.1f} ms, bare insert {b_cpu:.1f} ms, ratio {a_cpu / b_cpu:.1f}×")
    print(f"while accepting: {results['accept_shares']}; while inserting: {results['baseline_shares']}")
    checks.append(("accept over HTTP ≥ 150/s", accept_rate >= 150))
    for config, other in results.get("compared", []):
        (_l, ok, el), (_b, bok, bel) = other["accept"], other["baseline"]
        workers, _, threads = config.partition("x")
        kind = "gthread" if int(threads or 1) > 1 else "sync"
        print(f"  gunicorn {config:<5} ({kind:<7}): accept {ok / el:5.0f}/s, p95 {pct(_l, 95):6.1f} ms, "
              f"{other['accept_cpu'] / max(ok, 1) * 1000:5.1f} ms worker CPU each; bare insert {bok / bel:5.0f}/s; "
              f"ratio {ok / el / (bok / bel):.2f}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for label, met in checks:
        print(f"  target {label}: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
