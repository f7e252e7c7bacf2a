"""Benchmark: legal aid on PostgreSQL at district scale.

A district legal-aid centre decides a few thousand applications a year. This fills a private
PostgreSQL database with ``--cases`` legal-aid applications (mixed outcomes, about 40% with an
active lawyer), a roster of ``--lawyers`` lawyers with declared conflicts, and measures:

* ``assess`` — the pure eligibility function (per call);
* choosing a lawyer (caseload + conflicts over every active assignment) — per call;
* a whole grant: claim → approve (checks re-run) → follow-up (grant letter rendered and
  sealed inline, lawyer assigned) — per decision, jobs inline as in the embedded set-up;
* the statistics over all cases and one page of the case list.

The baseline is a single-row primary-key select on ``applications`` in the same run.

    .venv/bin/python bench/legal_aid_bench.py [--cases 10000] [--lawyers 60] [--decisions 20]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ops import migrate
from core import acceptance  # noqa: E402
from core.platform.clock import now, today  # noqa: E402
from core.platform.models import Application, CheckEvidence  # noqa: E402
from core.testing import postgres_database, runtime, seed_world  # noqa: E402
from plugins.legal_aid.domain import decisions, queries, roster  # noqa: E402
from plugins.legal_aid.domain.eligibility import Facts, Member, Standard, assess  # noqa: E402
from plugins.legal_aid.domain.law import CATEGORIES  # noqa: E402
from plugins.legal_aid.models import Assignment, Lawyer  # noqa: E402
from plugins.legal_aid.domain.standards import load_bytes  # noqa: E402

SERVICE = "legal_aid.application"


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def fill(quanke, world, cases: int, lawyers: int) -> None:
    rng = random.Random(20261123)
    with quanke.db.session() as s:
        load_bytes(s, b"area_code,effective_from,monthly_per_head\n320000,2025-01-01,2490\n",
                   filename="bench.csv", actor="bench")
        for i in range(lawyers):
            lw = roster.add_lawyer(s, actor="bench", name=f"律师{i}", licence_no=f"{13201201010000000 + i}",
                                   firm=f"第{i // 3}律师事务所", max_active=100)
            if i % 2 == 0:
                for j in range(6):
                    roster.add_conflict(s, lw.id, party_name=f"对方公司{rng.randint(0, 2000)}", actor="bench")
        lawyer_ids = list(s.scalars(select(Lawyer.id)))
    categories = list(CATEGORIES)
    states = ["accepted"] * 2 + ["delivered"] * 5 + ["issued"] * 2 + ["rejected"] * 2 + ["withdrawn"]
    start = now() - dt.timedelta(days=360)
    for offset in range(0, cases, 2000):
        apps, evidence, assignments = [], [], []
        for i in range(offset, min(cases, offset + 2000)):
            state = rng.choice(states)
            accepted = start + dt.timedelta(minutes=rng.randint(0, 360 * 24 * 60))
            decided = accepted + dt.timedelta(hours=rng.randint(2, 24 * 9)) if state not in ("accepted", "withdrawn") else None
            apps.append({"number": f"LA{i:09d}", "service_code": SERVICE, "department_code": "justice",
                         "state": state, "channel": "counter", "applicant_id": world.citizen.applicant_id,
                         "centre_id": world.centre.id, "delivery_method": "pickup",
                         "form_data": {"category": rng.choice(categories), "opposing_party": f"对方公司{i % 3000}",
                                       "area_code": "320113"},
                         "created_at": accepted, "submitted_at": accepted, "accepted_at": accepted,
                         "decided_at": decided, "receipt_no": f"T01-B-{i:09d}", "deadline_working_days": 7})
        with quanke.db.session() as s:
            ids = list(s.scalars(insert(Application).returning(Application.id), apps))
            for app_id, row in zip(ids, apps):
                if row["decided_at"] is None:
                    continue
                evidence.append({"application_id": app_id, "phase": "decision", "check_code": "legal_aid.eligibility",
                                 "check_name": "法律援助条件审查", "outcome": "pass",
                                 "reasons": [], "hit": False, "matched": {"path": rng.choice(["art32", "art42", "means_test"])},
                                 "list_version": "bench", "queried_at": row["decided_at"]})
                if row["state"] in ("issued", "delivered"):
                    assignments.append({"application_id": app_id, "lawyer_id": rng.choice(lawyer_ids),
                                        "kind": "grant", "status": "active" if rng.random() < 0.6 else "ended",
                                        "assigned_at": row["decided_at"] + dt.timedelta(hours=5),
                                        "due_on": (row["decided_at"] + dt.timedelta(days=3)).date(),
                                        "assigned_by": "bench", "reason": "", "end_reason": ""})
            if evidence:
                s.execute(insert(CheckEvidence), evidence)
            if assignments:
                s.execute(insert(Assignment), assignments)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--lawyers", type=int, default=60)
    parser.add_argument("--decisions", type=int, default=20)
    args = parser.parse_args()
    with postgres_database("quanke_la_bench") as url:
        quanke = runtime(url, Path("/tmp/quanke-la-bench"))
        migrate.upgrade(quanke)
        world = seed_world(quanke, department="justice")
        t0 = time.perf_counter()
        fill(quanke, world, args.cases, args.lawyers)
        print(f"setup: {args.cases} cases, {args.lawyers} lawyers in {time.perf_counter() - t0:.1f} s")
        with quanke.db.session() as s:
            active = s.scalar(select(Assignment.id).where(Assignment.status == "active").order_by(Assignment.id.desc()))
            some_id = s.scalar(select(Application.id).limit(1))

        def baseline():
            with quanke.db.session() as s:
                s.get(Application, some_id)
                s.expunge_all()
        base = statistics.median(timed(baseline, 300))

        standard = Standard("320000", dt.date(2025, 1, 1), Decimal("2490"))
        facts = Facts(category="labour", has_agent=False, received_on=today(), income_evidence="proof",
                      members=(Member("本人", "甲", Decimal("1800")), Member("配偶", "乙", Decimal("1500"))))
        n = 20_000
        t = time.perf_counter()
        for _ in range(n):
            assess(facts, standard)
        per_assess = (time.perf_counter() - t) / n

        target = acceptance.file_application(
            quanke, world.counter, service_code=SERVICE, applicant_id=world.citizen.applicant_id,
            form_data={"category": "labour", "opposing_party": "对方公司17",
                       "matter": "务工工资被拖欠三个月，共计一万二千元。", "incident_date": "2026-05-01",
                       "household": "本人,测试citizen,1800", "savings": "0"},
            paper=["applicant_id", "case_materials", "income_proof"], consent=True)

        def choose():
            with quanke.db.session() as s:
                roster.candidates(s, s.get(Application, target.id))
        choosing = timed(choose, 30)

        grants = []
        for _ in range(args.decisions):
            app = acceptance.file_application(
                quanke, world.counter, service_code=SERVICE, applicant_id=world.citizen.applicant_id,
                form_data={"category": "labour", "opposing_party": "对方公司17",
                           "matter": "务工工资被拖欠三个月，共计一万二千元。", "incident_date": "2026-05-01",
                           "household": "本人,测试citizen,1800", "savings": "0"},
                paper=["applicant_id", "case_materials", "income_proof"], consent=True)
            acceptance.accept(quanke, world.counter, app.id, warn_reason="bench")
            start = time.perf_counter()
            decisions.decide(quanke, world.approver, app.id, grant=True)
            grants.append(time.perf_counter() - start)

        def stats():
            with quanke.db.session() as s:
                queries.compute(quanke, s, today() - dt.timedelta(days=365), today())
        stat_times = timed(stats, 3)

        def page():
            with quanke.db.session() as s:
                queries.case_list(quanke, s, status="granted", page=3)
        page_times = timed(page, 20)
        quanke.close()

    print(f"baseline (pk select):        median {ms(base)}")
    print(f"assess (pure):               {per_assess * 1e6:.1f} µs per call")
    print(f"choose a lawyer:             median {ms(statistics.median(choosing))}, p95 {ms(pct(choosing, 95))}"
          f"  ({statistics.median(choosing) / base:.0f}× baseline; active assignments up to id {active})")
    print(f"grant (claim+approve+letter+assign, inline): median {ms(statistics.median(grants))}, "
          f"p95 {ms(pct(grants, 95))}")
    print(f"statistics over {args.cases} cases: median {ms(statistics.median(stat_times))}")
    print(f"case list page (20, status filter): median {ms(statistics.median(page_times))}, "
          f"p95 {ms(pct(page_times, 95))}  ({statistics.median(page_times) / base:.0f}× baseline)")


if __name__ == "__main__":
    main()
