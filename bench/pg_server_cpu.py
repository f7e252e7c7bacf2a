"""Benchmark: where PostgreSQL's own CPU goes in each hot transition (issue 19).

Issue 19 measured ≈ 4.2 ms of server CPU per accept, far more than ten simple statements
should cost, and asks why: triggers, index maintenance, the receipt counter upsert, the audit
insert. This runs the transitions of bench/transitions_bench.py in-process against
``--existing`` applications and reads each backend's CPU clock around every statement from
``/proc/<pid>/schedstat`` (nanoseconds the backend ran; PostgreSQL runs on this machine), so
each statement's server CPU is its own, not the load's. Beside it: the WAL the rounds
write (``pg_stat_wal``, the server's: records, full-page images, bytes), the HOT share of application updates
(``pg_stat_user_tables``), the indexes every application write maintains and the triggers on
the tables written.

    .venv/bin/python bench/pg_server_cpu.py [--existing 100000] [--rounds 200]
"""
from __future__ import annotations

import argparse
import collections
import re
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, event, text
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accept_bench import bare_insert, bare_table, bulk_applications  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.transitions_bench import transitions  # noqa: E402
from core.ops import migrate  # noqa: E402
from core.runtime import Quanke  # noqa: E402
from core.testing import REDIS_TEST_URL, SAMPLE_PLUGIN, postgres_database, seed_world  # noqa: E402


def backend_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as fh:
        return int(fh.read().split()[0])


def statement_kind(statement: str) -> str:
    """``UPDATE applications``, ``INSERT INTO audit_events``, ``SELECT … FROM applications`` …"""
    words = " ".join(statement.split())
    verb = words.split(" ", 1)[0].upper()
    table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+([a-z_]+)", words, re.IGNORECASE)
    lock = " FOR UPDATE" if "FOR UPDATE" in words.upper() else ""
    return f"{verb} {table.group(1) if table else words[:40]}{lock}"


class ServerMeter:
    """Server CPU per statement kind and per step, from the backends' schedstat."""

    def __init__(self, engine):
        self.engine, self.pids = engine, set()
        self.by_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])  # ns, count
        event.listen(engine, "connect", self._connect)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _connect(self, dbapi_conn, record):
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            record.info["pid"] = cur.fetchone()[0]
        dbapi_conn.commit()
        self.pids.add(record.info["pid"])

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["_ns"] = backend_ns(conn.info["pid"])

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        slot = self.by_kind[statement_kind(statement)]
        slot[0] += backend_ns(conn.info["pid"]) - conn.info.pop("_ns")
        slot[1] += 1

    def total_ns(self) -> int:
        return sum(backend_ns(pid) for pid in self.pids)

    def close(self):
        for name, fn in (("connect", self._connect), ("before_cursor_execute", self._before),
                         ("after_cursor_execute", self._after)):
            event.remove(self.engine, name, fn)


def database_facts(engine) -> dict:
    with engine.connect() as conn:
        wal = conn.execute(text("SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal")).one()
        hot = conn.execute(text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                                "WHERE relname = 'applications'")).one()
        conn.rollback()
    return {"wal": tuple(int(x) for x in wal), "updates": tuple(int(x) for x in hot)}


def structure(engine) -> list[str]:
    with engine.connect() as conn:
        indexes = conn.execute(text("SELECT tablename, count(*) FROM pg_indexes WHERE schemaname = 'public' AND "
                                    "tablename IN ('applications', 'audit_events', 'check_evidence', 'documents', "
                                    "'outbox', 'receipt_sequences', 'materials') GROUP BY 1 ORDER BY 1")).all()
        triggers = conn.execute(text("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                     "WHERE NOT t.tgisinternal ORDER BY 1, 2")).all()
        settings = conn.execute(text("SELECT name, setting FROM pg_settings WHERE name IN "
                                     "('synchronous_commit', 'full_page_writes', 'wal_level', 'fsync')")).all()
    return (["indexes: " + ", ".join(f"{t} {n}" for t, n in indexes),
             "triggers: " + (", ".join(f"{t}.{n}" for t, n in triggers) or "none"),
             "settings: " + ", ".join(f"{n}={v}" for n, v in settings)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with postgres_database("quanke_bench_pgcpu") as url:
        quanke = Quanke({"DATABASE_URL": url, "INSTANCE_PATH": "/tmp/quanke-bench-pgcpu", "REDIS_URL": REDIS_TEST_URL,
                         "QUEUE_PREFIX": f"quanke-bench-{uuid.uuid4().hex[:6]}"}, extra_plugins=[SAMPLE_PLUGIN])
        migrate.upgrade(quanke)
        world = seed_world(quanke, service_codes=["sample.permit"])
        bulk_applications(quanke, args.existing, True, "E", centre_code=world.centre.code)
        with quanke.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        quanke.db.engine.dispose()        # new connections: the meter learns their backends
        meter = ServerMeter(quanke.db.engine)
        steps, table = transitions(world), bare_table(quanke)
        steps.append(("bare insert+commit", lambda i: bare_insert(quanke, table, i) or i))
        for i in range(10):  # warm-up
            app_id = None
            for _name, step in steps:
                app_id = step(app_id)
        meter.by_kind.clear()
        per_step = {name: [0, collections.Counter()] for name, _ in steps}
        facts_engine = create_engine(url)   # not metered: its statements are not the workflow's
        before = database_facts(facts_engine)
        for _ in tqdm(range(args.rounds), desc="办件全流程", unit="件"):
            app_id = None
            for name, step in steps:
                kinds0 = {k: v[0] for k, v in meter.by_kind.items()}
                ns0 = meter.total_ns()
                app_id = step(app_id)
                per_step[name][0] += meter.total_ns() - ns0
                for kind, (ns, _count) in meter.by_kind.items():
                    per_step[name][1][kind] += ns - kinds0.get(kind, 0)
        after = database_facts(facts_engine)
        meter.close()
        print(describe())
        print(f"\nPostgreSQL server CPU per operation ({args.rounds} rounds, {args.existing:,} applications):")
        bare_ns = per_step["bare insert+commit"][0] / args.rounds
        for name, (ns, kinds) in per_step.items():
            print(f"\n{name}: {ns / args.rounds / 1e6:.3f} ms server CPU ({ns / args.rounds / bare_ns:.1f}× the bare "
                  f"insert)")
            for kind, k_ns in kinds.most_common(8):
                if k_ns > 0:
                    print(f"    {k_ns / args.rounds / 1e6:7.3f} ms  {kind}")
            rest = ns - sum(kinds.values())
            print(f"    {rest / args.rounds / 1e6:7.3f} ms  BEGIN/COMMIT and the rest of the transaction")
        n_rec, n_fpi, n_bytes = (b - a for a, b in zip(before["wal"], after["wal"]))
        upd, hot = (b - a for a, b in zip(before["updates"], after["updates"]))
        print(f"\nWAL in the measured rounds (the whole server's, so other databases' writes count too): {n_rec:,} records, {n_fpi:,} full-page images, {n_bytes / 1e6:.1f} MB; "
              f"applications updates {upd:,}, of them HOT {hot:,} ({hot / max(upd, 1):.0%})")
        for line in structure(quanke.db.engine):
            print(line)
        table.drop(quanke.db.engine)
        quanke.close()


if __name__ == "__main__":
    main()
