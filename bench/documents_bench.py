"""Benchmark: rendering and sealing documents (issue "Documents").

Target: render + seal one certificate, p95 ≤ 150 ms on one core. Also reported: the
unsigned render of the same certificate (so the cost of the seal is visible), the full
``core.papers.issuance.render`` path (database read, render, seal, content-addressed store, database
write), and the throughput of ``quanke documents regenerate`` over 1,000 issued certificates.

    .venv/bin/python bench/documents_bench.py [--runs 300] [--regenerate 1000] [--all-cores]

Uses the real 营业执照 (business_license.individual) certificate on a throw-away SQLite
instance: one application goes through the workflow; the other 999 are inserted directly
with their certificate rows (setup, not measured). The process pins itself to CPU 0
(``sched_setaffinity``, the same as ``taskset -c 0``) unless ``--all-cores`` is given.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.papers import issuance
from core.ops import migrate
from core.ops.cli import main as cli_main  # noqa: E402
from core.platform.clock import today  # noqa: E402
from core.platform.models import Application, Document, Material  # noqa: E402
from core.testing import drive_to, runtime, seed_world  # noqa: E402

SERVICE = "business_license.individual"
TARGET_P95_MS = 150.0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, runs: int, setup=None) -> list[float]:
    """Milliseconds per call; ``setup`` (not timed) runs before each call."""
    out = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def line(label: str, ms: list[float]) -> str:
    return (f"{label:<44} p50 {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   "
            f"max {max(ms):7.1f} ms   (n={len(ms)})")


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except OSError as exc:
        return f"not pinned ({exc})"
    return f"pinned to CPU {sorted(os.sched_getaffinity(0))}"


def issued_copies(quanke, template_id: int, count: int) -> list[int]:
    """``count`` issued applications like the template, each with a certificate row."""
    with quanke.db.session() as s:
        app = s.get(Application, template_id)
        columns = {c.key: getattr(app, c.key) for c in Application.__table__.columns
                   if c.key not in ("id", "number", "receipt_no", "idempotency_key")}
        materials = [(m.code, m.status) for m in app.materials]
    rows = [{**columns, "number": f"QKBENCH{i:08d}", "receipt_no": f"BENCH-{i:08d}"} for i in range(count)]
    with quanke.db.engine.begin() as conn:
        ids = conn.execute(insert(Application).returning(Application.id), rows).scalars().all()
        conn.execute(insert(Material), [{"application_id": a, "code": code, "status": status, "filename": "",
                                         "content_type": "", "size": 0, "sha256": "", "note": "",
                                         "created_at": columns["created_at"]}
                                        for a in ids for code, status in materials])
    service = quanke.service(SERVICE)
    with quanke.db.session() as s:
        for app_id in ids:
            app = s.get(Application, app_id)
            issuance.record_document(s, app, "certificate", by_id=app.decided_by_id, service=service,
                                     at=app.decided_at)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--regenerate", type=int, default=1000)
    parser.add_argument("--all-cores", action="store_true")
    args = parser.parse_args()
    if args.runs < 200:
        parser.error("--runs must be at least 200")
    pinned = "not pinned (--all-cores)" if args.all_cores else pin_to_one_core()

    with tempfile.TemporaryDirectory(prefix="quanke-docbench-") as tmp:
        root = Path(tmp)
        quanke = runtime(f"sqlite:///{root / 'bench.db'}", root)
        migrate.upgrade(quanke)
        world = seed_world(quanke, department=quanke.service(SERVICE).department)
        app = drive_to(world, "issued", SERVICE)
        with quanke.db.session() as s:
            cert = next(d for d in issuance.documents_for(s, app.id) if d.kind == "certificate")
            plan = issuance._plan(quanke, s, s.get(Document, cert.id))

        # warm-up: font, signer cache, code paths
        for _ in range(5):
            issuance._produce(quanke, plan)

        unsigned = timed(plan.make, args.runs)
        sealed = timed(lambda: issuance._produce(quanke, plan), args.runs)

        def forget():
            with quanke.db.session() as s:
                s.execute(update(Document).where(Document.id == cert.id).values(sha256="", storage_key=""))

        full = timed(lambda: issuance.render(quanke, cert.id), args.runs, setup=forget)
        stored = timed(lambda: issuance.render(quanke, cert.id), args.runs)
        size = len(issuance.pdf_bytes(quanke, cert.id))

        print()
        print(f"Documents benchmark — {SERVICE} (营业执照), SQLite, {pinned}")
        print(line("certificate render, unsigned", unsigned))
        print(line("certificate render + seal (PAdES)", sealed))
        seal_cost = statistics.median(sealed) - statistics.median(unsigned)
        print(f"{'  cost of the seal (p50 difference)':<44} {seal_cost:7.1f} ms "
              f"({statistics.median(sealed) / statistics.median(unsigned):.2f}× the unsigned render)")
        print(line("issuance.render (DB + render + seal + store)", full))
        print(line("issuance.render, already stored", stored))
        print(f"signed certificate size: {size / 1024:.1f} KiB")
        p95 = percentile(sealed, 95)
        print(f"target render+seal p95 ≤ {TARGET_P95_MS:.0f} ms: {'MET' if p95 <= TARGET_P95_MS else 'MISSED'} "
              f"({p95:.1f} ms)")

        if args.regenerate:
            print()
            print(f"setting up {args.regenerate} issued certificates …", flush=True)
            issued_copies(quanke, app.id, args.regenerate - 1)
            with quanke.db.session() as s:
                total = len(issuance.documents_in_range(s, today(), today(), "certificate"))
            day = today().isoformat()
            start = time.perf_counter()
            status = cli_main.main(args=["documents", "regenerate", "--from", day, "--to", day,
                                         "--kind", "certificate"], obj=quanke, standalone_mode=False)
            if status:
                raise SystemExit(f"regenerate failed with status {status}")
            elapsed = time.perf_counter() - start
            with quanke.db.session() as s:
                superseded = len(s.scalars(select(Document.id).where(
                    Document.kind == "certificate", Document.status == "superseded")).all())
            print(f"regenerate {total} certificates: {elapsed:.1f} s → {total / elapsed:.1f} certificates/s "
                  f"({elapsed / total * 1000:.1f} ms each; {superseded} old versions now superseded)")
        quanke.close()


if __name__ == "__main__":
    main()
