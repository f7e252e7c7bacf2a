"""Benchmark: time-bank ledger transfers on PostgreSQL from concurrent clients.

Target (issue "timebank"): ≥ 500 ledger transfers per second sustained from 4 concurrent
clients, with the ledger invariants checked after the run, and the ratio to bare inserts
measured in the same run.

A *transfer* is one :func:`plugins.timebank.domain.ledger.transfer` in its own transaction, exactly
as the operations use it: lock both accounts ``SELECT … FOR UPDATE`` in id order, check the
floor, insert the journal and its two movements, update both cached balances, append the
audit event, commit — then ask for the audit chain to be sealed, as production does with
Redis (a deduplicated job; here one Redis ``SET NX``). A *sealer* process, standing in for
the rq worker that runs ``core.platform.audit.seal_job``, chains the events while the clients run;
after the run the remaining backlog is sealed, the ledger invariants are checked and the
whole audit chain is verified. A *bare insert* is one single-row insert + commit into a
scratch table by the same number of clients — the cheapest durable write PostgreSQL does —
measured before and after the transfers (their mean is the baseline, so a change of the
machine's load during the run affects both sides).

    .venv/bin/python bench/timebank_bench.py [--clients 4] [--seconds 30] [--holders 200]

Creates and drops its own database; prints the figures, the ratio and the invariant check.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import os
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select  # noqa: E402

from core.platform import audit
from core.ops import migrate  # noqa: E402
from core.testing import REDIS_TEST_URL, postgres_database  # noqa: E402
from core.runtime import Quanke  # noqa: E402

PREFIX = f"quanke-bench-tb-{uuid.uuid4().hex[:6]}"


def runtime(url: str, tmp: str, *, redis: bool = False) -> Quanke:
    return Quanke({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "QUEUE_PREFIX": PREFIX,
                   "REDIS_URL": REDIS_TEST_URL if redis else None})


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def setup(url: str, tmp: str, holders: int) -> list[int]:
    """Holders with opened accounts and a deposit each; returns their service account ids."""
    from plugins.timebank.domain import ledger
    from plugins.timebank.models import Holder
    from plugins.timebank.domain.settings import settings
    q = runtime(url, tmp)
    migrate.upgrade(q)
    rules = settings(q)
    ids = []
    with q.db.session() as s:
        for i in range(holders):
            h = Holder(kind="person", name=f"压测{i}", community="C031", subject=f"bench-{i}")
            s.add(h)
            s.flush()
            own = ledger.open_holder_accounts(s, h.id, "C031")
            ids.append((h.id, own))
        issued = ledger.community_accounts(s, "C031")["issued"]
    for holder_id, own in ids:  # a large balance each, so transfers rarely hit the floor
        with q.db.session() as s:
            ledger.post(s, kind="deposit", lines=[(issued, -60000), (own["service"], 42000),
                                                  (own["goods"], 12000), (own["cash"], 6000)],
                        community="C031", actor="bench", rules=rules, holder_id=holder_id, minutes=60000)
    with q.db.engine.begin() as conn:
        scratch().create(conn)
    q.close()
    return [own["service"] for _, own in ids]


def scratch() -> Table:
    return Table("bench_bare_inserts", MetaData(), Column("id", Integer, primary_key=True),
                 Column("client", Integer), Column("payload", String(64)))


def client(kind: str, url: str, tmp: str, accounts: list[int], seconds: float, number: int, start_at,
           results) -> None:
    """One client process: loop until the deadline, record each operation's latency."""
    from core.platform.errors import InvalidInput
    from plugins.timebank.domain import ledger
    from plugins.timebank.domain.settings import settings
    q = runtime(url, tmp, redis=True)  # audited commits request the sealer job, as in production
    rules = settings(q)
    table = scratch()
    if kind == "transfer-unaudited":  # diagnosis only: what the ledger does without the audit chain
        ledger.audit = type("NoAudit", (), {"record": staticmethod(lambda *a, **k: None)})
        kind = "transfer"
    rng = random.Random(number)
    latencies, refused = [], 0
    with q.db.session() as s:  # warm the connection and statement caches before the clock starts
        s.execute(select(1))
    start_at.wait()
    cpu0 = time.process_time()
    deadline = time.perf_counter() + seconds
    while True:
        t0 = time.perf_counter()
        if t0 >= deadline:
            break
        if kind == "bare":
            with q.db.engine.begin() as conn:
                conn.execute(insert(table), {"client": number, "payload": "x" * 32})
        elif kind == "audit":  # the core's audit append alone: the chain's ceiling on this machine
            with q.db.session() as s:
                audit.record(s, actor="bench", action="bench.audit_only", object_type="bench", object_id=number,
                             data={"client": number})
        else:
            source, target = rng.sample(accounts, 2)
            try:
                with q.db.session() as s:
                    ledger.transfer(s, source=source, target=target, minutes=rng.randint(1, 120), actor="bench",
                                    rules=rules, community="C031")
            except InvalidInput:
                refused += 1
                continue
        latencies.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
    q.close()
    results.put((number, latencies, refused, cpu))


def sealer(url: str, tmp: str, stop, results) -> None:
    """What the rq worker does on a seal request: chain every committed unsealed event."""
    q = runtime(url, tmp)
    sealed, runs = 0, 0
    while not stop.is_set():
        time.sleep(audit.SEAL_WINDOW)  # as core.platform.audit.seal_job: let commits gather
        done = audit.seal(q.db.engine)
        sealed, runs = sealed + done, runs + 1
    q.close()
    results.put((sealed, runs))


def run(kind: str, url: str, tmp: str, accounts, clients: int, seconds: float) -> dict:
    ctx = mp.get_context("fork")
    start_at = ctx.Barrier(clients + 1)
    results = ctx.Queue()
    procs = [ctx.Process(target=client, args=(kind, url, tmp, accounts, seconds, i, start_at, results))
             for i in range(clients)]
    stop, sealed_q = ctx.Event(), ctx.Queue()
    seal_proc = ctx.Process(target=sealer, args=(url, tmp, stop, sealed_q))
    if kind != "bare":  # the baseline writes no audit events: no sealer competes with it
        seal_proc.start()
    for p in procs:
        p.start()
    start_at.wait()
    began = time.perf_counter()
    collected = [results.get(timeout=seconds + 120) for _ in procs]
    elapsed = time.perf_counter() - began
    stop.set()
    sealed, seal_runs = sealed_q.get(timeout=120) if kind != "bare" else (0, 0)
    if kind != "bare":
        seal_proc.join()
    for p in procs:
        p.join()
    with runtime(url, tmp).db.session() as s:
        backlog = audit.unsealed_count(s)  # left when the clients stopped
    latencies = [x for _, lat, _, _ in collected for x in lat]
    refused = sum(r for _, _, r, _ in collected)
    cpu = sum(c for _, _, _, c in collected)
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p / 100 * (len(latencies) - 1)))] * 1000  # noqa: E731
    return {"count": len(latencies), "refused": refused, "elapsed": elapsed,
            "rate": len(latencies) / elapsed, "p50": pct(50), "p95": pct(95), "p99": pct(99),
            "mean": statistics.fmean(latencies) * 1000, "cpu_ms": cpu / max(1, len(latencies)) * 1000,
            "sealed": sealed, "seal_runs": seal_runs, "backlog": backlog}


def check(url: str, tmp: str, expected_transfers: int) -> list[str]:
    from plugins.timebank.domain import ledger
    from plugins.timebank.models import Journal
    q = runtime(url, tmp)
    audit.seal(q.db.engine)
    with q.db.session() as s:
        problems = ledger.verify(s)
        transfers = s.scalar(select(func.count(Journal.id)).where(Journal.kind == "transfer"))
        if transfers != expected_transfers:
            problems.append(f"{expected_transfers} transfers committed but {transfers} journals stored")
        chain = audit.verify(s)
        if not chain.ok:
            problems.append(str(chain))
    q.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--bare-seconds", type=float, default=10)
    parser.add_argument("--holders", type=int, default=200)
    parser.add_argument("--target", type=float, default=500)
    parser.add_argument("--diagnose", action="store_true",
                        help="also time transfers without the audit event (to locate the bottleneck)")
    args = parser.parse_args()
    tmp = "/tmp"
    with postgres_database("quanke_bench_timebank") as url:
        t = time.perf_counter()
        accounts = setup(url, tmp, args.holders)
        print(f"准备：{args.holders} 个账户（各 1000 小时），{time.perf_counter() - t:.1f} 秒")
        print(load())
        bare = run("bare", url, tmp, accounts, args.clients, args.bare_seconds)
        print(f"单行插入（基线，前）：{args.clients} 个客户端 {bare['elapsed']:.1f} 秒 {bare['count']} 次，"
              f"{bare['rate']:.0f} 次/秒，p50 {bare['p50']:.2f} ms，p95 {bare['p95']:.2f} ms，"
              f"CPU {bare['cpu_ms']:.2f} ms/次（{load()}）")
        chain = run("audit", url, tmp, accounts, args.clients, args.bare_seconds)
        print(f"仅追加审计事件：{args.clients} 个客户端 {chain['count']} 次，{chain['rate']:.0f} 次/秒，"
              f"p50 {chain['p50']:.2f} ms，p95 {chain['p95']:.2f} ms；封链进程同时封链 {chain['sealed']} 条"
              f"（{chain['seal_runs']} 轮），结束时待封 {chain['backlog']} 条")
        moves = run("transfer", url, tmp, accounts, args.clients, args.seconds)
        print(f"账本转账：{args.clients} 个客户端 {moves['elapsed']:.1f} 秒 {moves['count']} 笔"
              f"（另有 {moves['refused']} 笔因余额不足被拒），{moves['rate']:.0f} 笔/秒，"
              f"p50 {moves['p50']:.2f} ms，p95 {moves['p95']:.2f} ms，p99 {moves['p99']:.2f} ms，"
              f"CPU {moves['cpu_ms']:.2f} ms/笔（{load()}）")
        print(f"  封链进程同时封链 {moves['sealed']} 条（{moves['seal_runs']} 轮），"
              f"客户端停止时待封 {moves['backlog']} 条")
        if args.diagnose:
            plain = run("transfer-unaudited", url, tmp, accounts, args.clients, args.bare_seconds)
            print(f"（诊断）不写审计事件的账本转账：{plain['count']} 笔，{plain['rate']:.0f} 笔/秒，"
                  f"p50 {plain['p50']:.2f} ms —— 仅用于说明瓶颈，不计入结果")
        bare_after = run("bare", url, tmp, accounts, args.clients, args.bare_seconds)
        print(f"单行插入（基线，后）：{bare_after['rate']:.0f} 次/秒，p50 {bare_after['p50']:.2f} ms，"
              f"p95 {bare_after['p95']:.2f} ms（{load()}）")
        baseline = (bare["rate"] + bare_after["rate"]) / 2
        ratio = moves["rate"] / baseline
        print(f"转账吞吐 / 单行插入吞吐（前后平均 {baseline:.0f} 次/秒）= {ratio:.2f}"
              f"（每笔转账的耗时约为单行插入的 {1 / ratio:.1f} 倍）；"
              f"转账吞吐 / 仅审计吞吐 = {moves['rate'] / chain['rate']:.2f}")
        problems = check(url, tmp, moves["count"] + (plain["count"] if args.diagnose else 0))
        if problems:
            print("账本核对失败：")
            for p in problems[:20]:
                print("  ✗", p)
        else:
            print(f"账本核对通过：{moves['count']} 笔转账全部入账，余额=流水合计，借贷平衡，无透支，审计链完整。")
        ok = not problems and moves["rate"] >= args.target
        print(("达标" if ok else "未达标") + f"：目标 ≥ {args.target:.0f} 笔/秒。")
        from redis import Redis
        redis = Redis.from_url(REDIS_TEST_URL)
        for key in redis.scan_iter(f"*{PREFIX}*"):
            redis.delete(key)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
