"""Benchmark: accept over HTTP under gunicorn, driven by wrk (issue 19).

Targets (issue 19), with 1,000,000 applications on PostgreSQL:
* gunicorn-worker CPU per accept ≤ 3× the bare one-insert Flask endpoint's CPU per request,
  both measured in this run under the same gunicorn settings;
* the approver queue page p95 ≤ 100 ms;
* PostgreSQL server CPU per accept reported beside the bare insert's.

The load comes from ``wrk`` (Debian package ``wrk``), a C load generator, so the client does
not eat the server's CPU as Python clients do. A generated Lua script gives every wrk thread
(one connection each) its own counter worker's API token and its own list of applications to
accept, so no two connections race for one application and each accept does real work.

    .venv/bin/python bench/wrk_bench.py [--applications 1000000] [--seconds 15]
                                        [--workers 2] [--threads 2] [--connections 8]
    .venv/bin/python bench/wrk_bench.py --quick        # 20,000 applications, 5 s runs

Worker CPU comes from /proc (user + system of gunicorn's workers); PostgreSQL's from /proc of
the server processes serving the benchmark's database (``pg_stat_activity``), so other
databases on the same server do not count. Seeding, gunicorn start-up and the bare endpoint
are bench/web_bench.py's.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web_bench import cpu_seconds, gunicorn, seed, staff_session, stop  # noqa: E402

TARGET = 3.0
QUEUE_P95_MS = 100.0

#: wrk's script: thread k (one connection) accepts the applications of ``IDS[k]`` with token
#: ``TOKENS[k]``; when its list runs out it repeats the last id, which answers 409 and shows as
#: a non-2xx count, so a run too long for its data is visible, not silently cheaper.
ACCEPT_LUA = """
local tokens = {tokens}
local ids = {ids}
local next_thread = 1
function setup(thread)
  thread:set("my_token", tokens[next_thread])
  thread:set("my_ids", ids[next_thread])
  next_thread = next_thread + 1
end
function init(args)
  queue, position = {{}}, 0
  for id in string.gmatch(my_ids, "%d+") do table.insert(queue, id) end
end
function request()
  position = position + 1
  local id = queue[math.min(position, #queue)]
  return wrk.format("POST", "/api/v1/applications/" .. id .. "/accept",
                    {{["Authorization"] = "Bearer " .. my_token, ["Content-Type"] = "application/json"}}, "{{}}")
end
"""

#: every script ends with this: one machine-readable summary line, and the first answer other
#: than 2xx each thread saw (so a failing run says why)
DONE_LUA = """
local all_threads = {}
local previous_setup = setup
function setup(thread)
  table.insert(all_threads, thread)
  if previous_setup then previous_setup(thread) end
end
function response(status, headers, body)
  if status >= 300 and first_bad == nil then first_bad = status .. " " .. string.sub(body, 1, 160) end
end
function done(summary, latency, requests)
  for _, thread in ipairs(all_threads) do
    local bad = thread:get("first_bad")
    if bad then io.write("BAD " .. bad .. "\\n") end
  end
  io.write(string.format('WRK {"requests": %d, "non_2xx": %d, "socket_errors": %d, "seconds": %.3f, '
    .. '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\\n', summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""

#: the same summary line for a fixed request (the bare insert, the queue page)
FIXED_LUA = """
wrk.method = "{method}"
wrk.headers["Cookie"] = "{cookie}"
"""


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(v) for v in values) + "}"


def run_wrk(url: str, script: str, *, connections: int, seconds: float, workdir: Path) -> dict:
    path = workdir / f"wrk-{uuid.uuid4().hex[:6]}.lua"
    path.write_text(script + DONE_LUA)
    out = subprocess.run(["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
                          "--timeout", "10s", "-s", str(path), url],
                         capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"wrk failed: {out.stderr or out.stdout}")
    out = out.stdout
    for bad in sorted({x for x in out.splitlines() if x.startswith("BAD ")}):
        print("  wrk saw", bad[4:], flush=True)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    result = json.loads(line[4:])
    result["ok"] = result["requests"] - result["non_2xx"]
    return result


# -- PostgreSQL server CPU of the benchmark's own database -----------------------------------

def _proc_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """CPU seconds of the PostgreSQL backends serving ``database`` between ``start`` and ``stop``
    (backends that appear meanwhile count whole; the meter's own backend is left out)."""

    def __init__(self, engine):
        self.engine = engine

    def _backends(self) -> dict[int, float]:
        from sqlalchemy import text
        with self.engine.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()")).scalars().all()
        return {pid: cpu for pid in pids if (cpu := _proc_cpu(pid)) is not None}

    def __enter__(self):
        self._start = self._backends()
        return self

    def __exit__(self, *exc):
        end = self._backends()
        gone = {pid: _proc_cpu(pid) for pid in self._start if pid not in end}
        self.seconds = (sum(cpu - self._start.get(pid, 0.0) for pid, cpu in end.items())
                        + sum(cpu - self._start[pid] for pid, cpu in gone.items() if cpu is not None))
        return False


def measure(label: str, proc, url: str, script: str, args, workdir: Path, engine, *, warm: str) -> dict:
    """A warm-up with ``warm`` (every worker's first requests load templates, pools, the calendar),
    then the measured run with ``script``."""
    run_wrk(url, warm, connections=args.connections, seconds=min(3.0, args.seconds / 3), workdir=workdir)
    from bench.machine import StealMeter
    cpu0 = cpu_seconds(proc)
    with StealMeter() as meter, ServerCpu(engine) as server:
        result = run_wrk(url, script, connections=args.connections, seconds=args.seconds, workdir=workdir)
    result.update(label=label, worker_cpu=cpu_seconds(proc) - cpu0, server_cpu=server.seconds,
                  shares=str(meter.shares))
    return result


def accept_script(data: dict, connections: int, warm_share: float) -> tuple[str, str]:
    """Two scripts over disjoint applications: the warm-up's and the measured run's."""
    per_centre, tokens = data["targets_by_centre"], data["tokens"]
    lists = [per_centre[k % len(per_centre)][k // len(per_centre)::-(-connections // len(per_centre))]
             for k in range(connections)]
    cut = [int(len(ids) * warm_share) for ids in lists]
    toks = lua_list([tokens[k % len(tokens)] for k in range(connections)])

    def script(parts):
        return ACCEPT_LUA.format(tokens=toks, ids=lua_list([",".join(map(str, p)) for p in parts]))
    return (script([ids[:c] for ids, c in zip(lists, cut)]), script([ids[c:] for ids, c in zip(lists, cut)]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--applicants", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="20,000 applications, 5 s runs")
    args = parser.parse_args()
    if args.quick:
        args.applications, args.applicants, args.seconds = 20_000, 5_000, 5
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk")
        return 2
    from bench.machine import describe
    from core.runtime import Quanke
    from core.testing import REDIS_TEST_URL, SAMPLE_PLUGIN, postgres_database
    print(f"Quanke wrk benchmark: {args.applications:,} applications, gunicorn {args.workers} workers × "
          f"{args.threads} threads, wrk {args.connections} connections, {os.cpu_count()} CPUs; {describe()}",
          flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="wrkbench-"))
    prefix = f"wrkbench-{uuid.uuid4().hex[:8]}"
    with postgres_database("quanke_wrkbench") as db_url:
        env = {"WEBBENCH_DATABASE_URL": db_url, "WEBBENCH_INSTANCE": str(workdir),
               "WEBBENCH_REDIS_URL": REDIS_TEST_URL, "WEBBENCH_QUEUE_PREFIX": prefix}
        os.environ.update(env)
        quanke = Quanke({"DATABASE_URL": db_url, "INSTANCE_PATH": str(workdir), "REDIS_URL": REDIS_TEST_URL,
                         "QUEUE_PREFIX": prefix}, extra_plugins=[SAMPLE_PLUGIN])
        print("seeding …", flush=True)
        data = seed(quanke, args.applications, args.applicants, max(6000, int(args.seconds * 500)),
                    min(args.connections, 12))
        engine = quanke.db.engine
        results = []
        app_proc, base = gunicorn("wsgi()", env, args.workers, args.threads)
        try:
            approver = staff_session(base, "bench_approver")
            cookie = "; ".join(f"{k}={v}" for k, v in approver.cookies.items())
            queue = FIXED_LUA.format(method="GET", cookie=cookie)
            queue_url = f"{base}/approvals/{data['department']}"
            run_wrk(queue_url, queue, connections=1, seconds=2, workdir=workdir)
            results.append(dict(run_wrk(queue_url, queue, connections=1, seconds=args.seconds / 2, workdir=workdir),
                                label="approver queue page, 1 connection"))
            warm, measured = accept_script(data, args.connections, 0.15)
            accept = measure("accept (POST /api/v1/applications/<id>/accept)", app_proc, base, measured, args,
                             workdir, engine, warm=warm)
        finally:
            stop(app_proc)
        base_proc, bbase = gunicorn("baseline()", env, args.workers, args.threads)
        try:
            insert = FIXED_LUA.format(method="POST", cookie="")
            bare = measure("bare Flask insert (POST /insert)", base_proc, bbase + "/insert", insert, args,
                           workdir, engine, warm=insert)
        finally:
            stop(base_proc)
        quanke.close()
    return report(args, results[0], accept, bare)


def report(args, queue: dict, accept: dict, bare: dict) -> int:
    print()
    for r in (queue, accept, bare):
        rate = r["ok"] / r["seconds"]
        print(f"{r['label']:<52} {r['ok']:>6} ok {r['non_2xx']:>3} non-2xx {rate:7.0f}/s  "
              f"p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms")
    per = {k: {"worker": r["worker_cpu"] / max(r["ok"], 1) * 1000, "server": r["server_cpu"] / max(r["ok"], 1) * 1000}
           for k, r in (("accept", accept), ("bare", bare))}
    ratio = per["accept"]["worker"] / per["bare"]["worker"]
    print(f"gunicorn-worker CPU per request: accept {per['accept']['worker']:.2f} ms, bare insert "
          f"{per['bare']['worker']:.2f} ms → ratio {ratio:.2f}× (target ≤ {TARGET:g}×)")
    print(f"PostgreSQL server CPU per request: accept {per['accept']['server']:.2f} ms, bare insert "
          f"{per['bare']['server']:.2f} ms ({per['accept']['server'] / max(per['bare']['server'], 1e-9):.1f}×)")
    print(f"while accepting: {accept['shares']}; while inserting: {bare['shares']}")
    met_cpu, met_queue = ratio <= TARGET, queue["p95_ms"] <= QUEUE_P95_MS
    print(f"  worker CPU ratio ≤ {TARGET:g}×: {'met' if met_cpu else 'NOT met'}; approver queue p95 ≤ "
          f"{QUEUE_P95_MS:g} ms: {'met' if met_queue else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
