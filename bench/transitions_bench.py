"""Benchmark: client CPU of every hot transition as a ratio to a bare insert+commit (issue 19).

Files (登记), accepts (受理), claims (认领), approves with issue (批准并出证) and delivers (送达)
applications through the core on PostgreSQL with ``--existing`` applications already there,
audit and jobs (Redis) included. After every transition a bare single-row SQLAlchemy
insert+commit runs through the same session factory, so a change in the machine's load weighs
on both alike; CPU time (``time.process_time``) per operation is the figure a noisy machine
distorts least. Target: each transition ≤ 3× the bare insert's CPU.

    .venv/bin/python bench/transitions_bench.py [--existing 100000] [--rounds 200] [--profile]

``--profile`` then lists the SQL statements each transition sends and runs 30 more rounds
under cProfile (CPU clock), printing where each transition's time goes in our modules.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import event
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accept_bench import bare_insert, bare_table, bulk_applications, percentile  # noqa: E402
from bench.machine import StealMeter, describe  # noqa: E402
from core import acceptance, approval  # noqa: E402
from core.ops import migrate  # noqa: E402
from core.platform.models import Citizen  # noqa: E402
from core.runtime import Quanke  # noqa: E402
from core.testing import (  # noqa: E402
    REDIS_TEST_URL,
    SAMPLE_PLUGIN,
    postgres_database,
    seed_world,
)

TARGET = 3.0
ROOT = str(Path(__file__).resolve().parents[1])


def transitions(world):
    """(name, step) in workflow order; each step takes the application id of the last."""
    quanke = world.quanke
    service = quanke.service("sample.permit")
    with quanke.db.session() as session:
        person = session.get(Citizen, world.citizen.id).applicant
        applicant_id, id_number = person.id, person.id_number
        form = service.example_for(person.name, person.id_number)
    paper = [m.code for m in service.materials if m.required and not m.alternative_to]

    def file(_):
        return acceptance.file_application(
            quanke, world.counter, service_code=service.code, applicant_id=applicant_id,
            form_data=form, paper=paper, consent=True, consent_text="申请人当面同意").id

    def deliver(app_id):
        return acceptance.deliver(quanke, world.counter, app_id, recipient_id_number=id_number)

    return [
        ("file_application", file),
        ("accept", lambda app_id: acceptance.accept(quanke, world.acceptor, app_id).id),
        ("claim", lambda app_id: approval.claim(quanke, world.approver, app_id).id),
        ("approve_and_issue", lambda app_id: approval.approve_and_issue(quanke, world.approver, app_id).id),
        ("deliver", lambda app_id: deliver(app_id).id),
    ]


def one_round(steps, quanke, table, i, samples):
    app_id = None
    for name, step in steps:
        c0, t0 = time.process_time(), time.perf_counter()
        app_id = step(app_id)
        t1, c1 = time.perf_counter(), time.process_time()
        bare_insert(quanke, table, i)
        t2, c2 = time.perf_counter(), time.process_time()
        samples[name].append((t1 - t0, c1 - c0))
        samples["bare"].append((t2 - t1, c2 - c1))


def profile_rounds(steps, rounds: int) -> str:
    """Where each transition's CPU goes, over ``rounds`` more rounds (our modules only)."""
    profilers = {name: cProfile.Profile(time.process_time) for name, _ in steps}
    for _ in range(rounds):
        app_id = None
        for name, step in steps:
            app_id = profilers[name].runcall(step, app_id)
    out = io.StringIO()
    for name, profiler in profilers.items():
        stats = pstats.Stats(profiler, stream=out)
        out.write(f"\n=== {name}: {stats.total_tt / rounds * 1000:.1f} ms CPU per call under the profiler ===\n")
        stats.sort_stats("cumulative").print_stats(ROOT, 18)
    return out.getvalue()


def statements_per_transition(quanke, steps) -> str:
    """The SQL each transition sends (one more round), the first thing to read before a profile."""
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split())[:110])

    event.listen(quanke.db.engine, "before_cursor_execute", note)
    lines, app_id = [], None
    try:
        for name, step in steps:
            sent.clear()
            app_id = step(app_id)
            lines.append(f"\n--- {name}: {len(sent)} statements")
            lines.extend(f"    {statement}" for statement in sent)
    finally:
        event.remove(quanke.db.engine, "before_cursor_execute", note)
    return "\n".join(lines)


def report(samples, meter) -> bool:
    bare_cpu = statistics.fmean(c for _, c in samples["bare"])
    bare_wall = [w for w, _ in samples["bare"]]
    print(f"\n{'operation':<20}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms/op':>11}{'CPU ratio':>11}")
    met = True
    for name, values in samples.items():
        wall = [w for w, _ in values]
        cpu = statistics.fmean(c for _, c in values)
        ratio = cpu / bare_cpu
        verdict = "" if name == "bare" else ("  met" if ratio <= TARGET else f"  > {TARGET:g}x")
        met = met and (name == "bare" or ratio <= TARGET)
        print(f"{name:<20}{len(values):>5}{statistics.median(wall) * 1000:>9.2f}"
              f"{percentile(wall, 95) * 1000:>9.2f}{cpu * 1000:>11.2f}{ratio:>10.2f}x{verdict}")
    print(f"bare insert p95 {percentile(bare_wall, 95) * 1000:.2f} ms; while measuring: {meter.shares}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with postgres_database("quanke_bench_transitions") as url:
        quanke = Quanke({"DATABASE_URL": url, "INSTANCE_PATH": "/tmp/quanke-bench",
                         "REDIS_URL": REDIS_TEST_URL,
                         "QUEUE_PREFIX": f"quanke-bench-{uuid.uuid4().hex[:6]}"},
                        extra_plugins=[SAMPLE_PLUGIN])
        migrate.upgrade(quanke)
        world = seed_world(quanke, service_codes=["sample.permit"])
        bulk_applications(quanke, args.existing, True, "E", centre_code=world.centre.code)
        with quanke.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        steps = transitions(world)
        table = bare_table(quanke)
        for i in range(10):  # warm-up: connections, statement caches, prepared statements
            one_round(steps, quanke, table, -i, {name: [] for name, _ in steps} | {"bare": []})
        print(describe())
        samples = {name: [] for name, _ in steps} | {"bare": []}
        with StealMeter() as meter:
            for i in tqdm(range(args.rounds), desc="办件全流程", unit="件"):
                one_round(steps, quanke, table, i, samples)
        met = report(samples, meter)
        if args.profile:
            print(statements_per_transition(quanke, steps))
            print(profile_rounds(steps, 30))
        table.drop(quanke.db.engine)
        quanke.jobs.redis.delete(*quanke.jobs.redis.keys(f"*{quanke.config['QUEUE_PREFIX']}*") or ["x"])
        quanke.close()
    print("all transitions ≤ 3x a bare insert in CPU" if met else "not met: see the ratios above")


if __name__ == "__main__":
    main()
