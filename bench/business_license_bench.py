"""Benchmark: the business licence plugin on PostgreSQL.

1. Name-conflict check (名称冲突核查) against a register of 75,000 individual businesses:
   the check the core runs at acceptance and decision (same/similar registered name, and
   names applied for by others), half the names taken, half free. Target p95 ≤ 20 ms.
2. The whole registration with no human wait: submit (filing with the register checked) →
   accept → claim → approve (credit code assigned, business recorded) → issue → licence
   rendered and sealed. Target p95 ≤ 1 s with the rq worker. Always measured first with every
   job run in-process (the baseline of the same run); with ``--redis`` then again with jobs on
   rq and ``quanke worker`` processes started here rendering and sealing, the time running
   until the sealed licence is stored; the ratio to the baseline is printed, and per queue and
   job kind how long jobs waited and ran.

    .venv/bin/python bench/business_license_bench.py [--businesses 75000] [--checks 2000]
        [--registrations 40] [--redis [--workers 1] [--worker-class simple|fork]]

Creates and drops its own database; prints the figures.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import acceptance, approval  # noqa: E402
from core.contract.services import CheckContext  # noqa: E402
from core.ops import migrate
from core.ops.demo import valid_resident_id  # noqa: E402
from core.people import applicants
from core.platform.clock import now  # noqa: E402
from core.platform.models import Applicant, Document  # noqa: E402
from core.testing import REDIS_TEST_URL, postgres_database, runtime, seed_world  # noqa: E402
from plugins.business_license import checks, demo
from plugins.business_license.domain import filing  # noqa: E402
from plugins.business_license.domain.lookups import REGISTRATION  # noqa: E402
from plugins.business_license.models import RegisteredBusiness  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(value: float) -> str:
    return f"{value * 1000:.2f} ms"


def summary(label: str, times: list[float]) -> str:
    return (f"{label:<34} n={len(times):<5} p50 {ms(statistics.median(times)):>10}  "
            f"p95 {ms(percentile(times, 95)):>10}  max {ms(max(times)):>10}")


def bench_name_check(quanke, count: int) -> list[float]:
    rng = random.Random(11)
    with quanke.db.session() as session:
        taken = session.execute(select(RegisteredBusiness.trade_name, RegisteredBusiness.industry,
                                       RegisteredBusiness.name_form)
                                .order_by(RegisteredBusiness.id).limit(20_000)).all()
        applicant = session.scalar(select(Applicant).limit(1))
    free = []
    while len(free) < count // 2:
        trade = rng.choice(demo.TRADE_CHARS) + rng.choice(demo.TRADE_CHARS) + rng.choice(demo.TRADE_CHARS)
        free.append((trade, rng.choice(list(demo.INDUSTRIES)), "店"))
    names = [tuple(r) for r in rng.sample(taken, count - len(free))] + free
    rng.shuffle(names)
    service = quanke.service(REGISTRATION)
    times, hits = [], 0
    for trade, industry, form in names:
        with quanke.db.session() as session:
            # At acceptance the check runs inside the open transaction (the application is
            # already loaded and locked): start the transaction first, then time the check.
            session.execute(select(1))
            ctx = CheckContext(session=session, service=service, applicant=applicant,
                               form_data={"trade_name": trade, "industry": industry, "name_form": form},
                               materials={}, now=now(), phase="acceptance")
            t0 = time.perf_counter()
            result = checks.NAME_CONFLICT.run(ctx)
            times.append(time.perf_counter() - t0)
            hits += result.outcome.value == "block"
    print(f"name checks: {hits} names found taken, {len(names) - hits} free")
    return times


def _wait_sealed(quanke, app_id: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with quanke.db.session() as session:
            signed = session.scalar(select(Document.signed).where(
                Document.application_id == app_id, Document.kind == "certificate"))
        if signed:
            return
        time.sleep(0.005)
    raise TimeoutError(f"licence of application {app_id} not sealed after {timeout}s")


def bench_registration(quanke, world, count: int, *, start: int = 0,
                       mark: str = "鑫") -> dict[str, list[float]]:
    """``count`` registrations (after 3 unmeasured) by new operators numbered from ``start``;
    ``mark`` ends every trade name, so runs on the same register do not clash."""
    people = []
    with quanke.db.session() as session:
        for k in range(start, start + count + 3):
            person, _ = applicants.register(session, kind="person", name=f"经营者{k}",
                                            id_number=valid_resident_id(f"3201021985{1 + k // 28 % 12:02d}{1 + k % 28:02d}{k % 1000:03d}"),
                                            phone="13900000000", actor="bench")
            people.append(person)
    steps: dict[str, list[float]] = {k: [] for k in ("submit", "accept", "claim", "approve", "issue",
                                                    "sealed", "total")}
    for k, person in enumerate(people):
        chars = demo.TRADE_CHARS
        form = {"trade_name": f"{chars[k % len(chars)]}{chars[(k * 7 + 3) % len(chars)]}{mark}",
                "industry": "便利", "name_form": "店", "operator_name": person.name,
                "operator_id_number": person.id_number, "organisation_form": "individual",
                "operator_residence": f"江苏省南京市玄武区长江路{k + 1}号",
                "street": "xinjiekou", "address": f"中山路{k + 1}号一层", "scopes": ["general_retail"],
                "capital": 50000, "employees": 2, "phone": "13900000000"}
        marks = [time.perf_counter()]
        app = filing.file(quanke, world.counter, service_code=REGISTRATION, applicant_id=person.id,
                          form_data=form, paper=["operator_id", "premises_proof"], consent=True)
        marks.append(time.perf_counter())
        acceptance.accept(quanke, world.counter, app.id)
        marks.append(time.perf_counter())
        approval.claim(quanke, world.approver, app.id)
        marks.append(time.perf_counter())
        approval.approve(quanke, world.approver, app.id)
        marks.append(time.perf_counter())
        approval.issue(quanke, world.approver, app.id)
        marks.append(time.perf_counter())
        _wait_sealed(quanke, app.id)
        marks.append(time.perf_counter())
        if k < 3:
            continue  # warm-up (seals loaded, connections, caches): not measured
        for name, (a, b) in zip(("submit", "accept", "claim", "approve", "issue", "sealed"),
                                zip(marks, marks[1:])):
            steps[name].append(b - a)
        steps["total"].append(marks[-1] - marks[0])
    with quanke.db.session() as session:
        recorded = session.scalar(select(RegisteredBusiness.id).where(RegisteredBusiness.source == "app")
                                  .limit(1))
    assert recorded is not None, "no business recorded: the approval job did not run"
    return steps


def job_report(quanke) -> None:
    """Per job kind: how many ran, how long they waited in the queue and how long they ran."""
    from rq.job import Job
    from rq.registry import FinishedJobRegistry
    rows: dict[str, dict[str, list[float]]] = {}
    for queue in quanke.jobs.worker_queues():
        ids = FinishedJobRegistry(queue=queue).get_job_ids()
        for job in Job.fetch_many(ids, connection=quanke.jobs.redis):
            if job is None or not (job.enqueued_at and job.started_at and job.ended_at):
                continue
            name = job.args[0].rsplit(".", 1)[1] if job.args else job.func_name
            short = queue.name[len(quanke.config["QUEUE_PREFIX"]) + 1:]
            entry = rows.setdefault(f"{short}:{name}", {"wait": [], "run": []})
            entry["wait"].append((job.started_at - job.enqueued_at).total_seconds())
            entry["run"].append((job.ended_at - job.started_at).total_seconds())
    print("\nrq jobs (queue:function  count  wait in queue p50/p95  run p50/p95):")
    for name, entry in sorted(rows.items()):
        print(f"  {name:<36} {len(entry['run']):>5}  wait {ms(statistics.median(entry['wait'])):>10} / "
              f"{ms(percentile(entry['wait'], 95)):>10}  run {ms(statistics.median(entry['run'])):>10} / "
              f"{ms(percentile(entry['run'], 95)):>10}")


def start_worker(url: str, instance: str, prefix: str, *,
                 worker_class: str | None = None) -> subprocess.Popen:
    """``quanke worker`` as deployed (``worker_class`` overrides its WORKER_CLASS)."""
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_TEST_URL,
           "QUANKE_INSTANCE_PATH": instance, "QUANKE_QUEUE_PREFIX": prefix}
    if worker_class:
        env["QUANKE_WORKER_CLASS"] = worker_class
    command = [sys.executable, "-m", "core.ops.cli", "worker", "--no-cron"]
    worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(6)  # let it start (and warm up: font, seals) before the first job is timed
    return worker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--businesses", type=int, default=75_000)
    parser.add_argument("--checks", type=int, default=2_000)
    parser.add_argument("--registrations", type=int, default=40)
    parser.add_argument("--redis", action="store_true", help="jobs on rq with a worker (production set-up)")
    parser.add_argument("--workers", type=int, default=1, help="with --redis: how many rq workers")
    parser.add_argument("--worker-class", choices=("fork", "simple"), default=None,
                        help="with --redis: WORKER_CLASS of the worker (default: the config's, simple)")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bl-bench-")
    prefix = f"quanke-blbench-{uuid.uuid4().hex[:6]}"
    with postgres_database("quanke_blbench") as url:
        # The test kit's runtime (with its sample plugin, which seed_world's staff refer to).
        # Documents rendered right after each change, as deployed (the test kit turns it off).
        quanke = runtime(url, Path(instance), QUEUE_PREFIX=prefix, RENDER_DOCUMENTS_INLINE=True,
                         REDIS_URL=REDIS_TEST_URL if args.redis else None)
        # Baseline from the same run: the same registrations with every job done in-process.
        inline = runtime(url, Path(instance), QUEUE_PREFIX=prefix, RENDER_DOCUMENTS_INLINE=True,
                         REDIS_URL=None) if args.redis else quanke
        workers = []
        try:
            migrate.upgrade(quanke)
            world = seed_world(quanke, department="market_regulation")
            t0 = time.perf_counter()
            added = demo.load(quanke, count=args.businesses, progress=True, batch=5_000)
            print(f"register loaded: {added:,} businesses in {time.perf_counter() - t0:.1f} s")
            with quanke.db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
            check_times = bench_name_check(quanke, args.checks)
            print(summary("name-conflict check", check_times) + "   (target p95 ≤ 20 ms)", flush=True)
            cpu0 = time.process_time()
            baseline = bench_registration(inline, world, args.registrations, start=5_000, mark="盛")
            baseline_cpu = time.process_time() - cpu0
            steps = None
            if args.redis:
                workers = [start_worker(url, instance, prefix, worker_class=args.worker_class)
                           for _ in range(max(1, args.workers))]
                steps = bench_registration(quanke, world, args.registrations)
                job_report(quanke)
        finally:
            for worker in workers:  # only the processes this benchmark started
                worker.terminate()
                worker.wait(timeout=30)
            if args.redis:
                keys = quanke.jobs.redis.keys(f"*{prefix}*")
                if keys:
                    quanke.jobs.redis.delete(*keys)
                inline.close()
            quanke.close()
    print(f"\nPostgreSQL, {args.businesses:,} registered businesses; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(summary("name-conflict check", check_times) + "   (target p95 ≤ 20 ms)")
    print(f"baseline, every job in-process (CPU {baseline_cpu / len(baseline['total']) * 1000:.0f} ms "
          "per registration):")
    for name in ("submit", "accept", "claim", "approve", "issue", "sealed", "total"):
        print(summary(f"  inline {name}", baseline[name]))
    if steps is not None:
        mode = (f"{args.workers} rq worker(s), WORKER_CLASS={args.worker_class or 'as configured'}")
        print(f"with Redis, {mode}:")
        for name in ("submit", "accept", "claim", "approve", "issue", "sealed"):
            print(summary(f"  registration step: {name}", steps[name]))
        print(summary("registration submit→licence sealed", steps["total"]) + "   (target p95 ≤ 1 s)")
        ratio = percentile(steps["total"], 95) / percentile(baseline["total"], 95)
        print(f"ratio to the inline baseline: p95 {ratio:.2f}×, p50 "
              f"{statistics.median(steps['total']) / statistics.median(baseline['total']):.2f}×")


if __name__ == "__main__":
    main()
