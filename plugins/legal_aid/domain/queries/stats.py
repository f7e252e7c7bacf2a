"""Statistics of the legal-aid centre (统计).

Statistics cover applications accepted (or, when never accepted, filed) in a date range of
local days: by category, outcome and decision path; time to decide, from receipt, against the
7-day limit (Art. 43); lawyer caseload and assignments against the 3-day limit; objections (Art. 49).
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import LOCAL_TZ, Application, AuditEvent, CheckEvidence, State, local_date
from plugins.legal_aid.domain.deadlines import due_on
from plugins.legal_aid.domain.law import DECISION_DAYS
from plugins.legal_aid.domain.queries.cases import category_label
from plugins.legal_aid.domain.status import (
    GRANTED_STATES,
    LABELS,
    SERVICE,
    application_ids,
    bulk_statuses,
)
from plugins.legal_aid.models import Assignment, Lawyer, Objection, UrgentAid

DECIDED_STATES = GRANTED_STATES + (State.REJECTED.value,)
TIME_BUCKETS = (("1日内", 1), ("2-3日", 3), ("4-7日", 7), ("超过7日", None))
PATH_LABELS = {"art32": "第三十二条（免经济审查）", "art42": "第四十二条（免予核查）",
               "means_test": "经济困难审查（第三十四条）", "notification": "通知指派（第二十五条、第二十八条）",
               "art24_other": "第二十四条其他原因（机构认定）", None: "—"}


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(), tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)
    return lo, hi


@dataclass
class LegalAidStats:
    start: dt.date
    end: dt.date
    total: int = 0
    by_category: list[dict] = field(default_factory=list)
    by_outcome: list[tuple[str, str, int]] = field(default_factory=list)
    by_path: list[tuple[str, int]] = field(default_factory=list)
    decision_time: dict = field(default_factory=dict)
    lawyers: list[dict] = field(default_factory=list)
    assignments: dict = field(default_factory=dict)
    objections: dict = field(default_factory=dict)
    urgent: int = 0

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "total": self.total,
                "by_category": self.by_category,
                "by_outcome": [{"status": c, "label": lbl, "count": n} for c, lbl, n in self.by_outcome],
                "by_path": [{"path": p, "count": n} for p, n in self.by_path],
                "decision_time": self.decision_time, "lawyers": self.lawyers,
                "assignments": self.assignments, "objections": self.objections, "urgent": self.urgent}


def _decision_paths(session: Session, lo: dt.datetime, hi: dt.datetime) -> dict[int, str | None]:
    moment = func.coalesce(Application.accepted_at, Application.submitted_at, Application.created_at)
    paths: dict[int, str | None] = {}
    for app_id, matched in session.execute(
            select(CheckEvidence.application_id, CheckEvidence.matched)
            .join(Application, Application.id == CheckEvidence.application_id)
            .where(Application.service_code == SERVICE, moment >= lo, moment < hi,
                   CheckEvidence.check_code == "legal_aid.eligibility", CheckEvidence.phase == "decision")
            .order_by(CheckEvidence.id)):
        paths[app_id] = (matched or {}).get("path")
    return paths


@dataclass(frozen=True)
class _Row:
    id: int
    state: str
    category: str | None
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    received_at: dt.datetime | None   # submitted_at, else created_at: day 0 of Art. 43


def compute(quanke, session: Session, start: dt.date, end: dt.date) -> LegalAidStats:
    lo, hi = _bounds(start, end)
    moment = func.coalesce(Application.accepted_at, Application.submitted_at, Application.created_at)
    # Plain columns, not ORM objects: statistics read thousands of rows.
    apps = [_Row(*row) for row in session.execute(select(
        Application.id, Application.state, Application.form_data["category"].as_string(),
        Application.accepted_at, Application.decided_at,
        func.coalesce(Application.submitted_at, Application.created_at)).where(
        Application.service_code == SERVICE, Application.state != State.DRAFT.value,
        moment >= lo, moment < hi))]
    ids = [a.id for a in apps]
    out = LegalAidStats(start, end, total=len(apps))
    deemed = set(session.scalars(select(AuditEvent.application_id).join(
        Application, Application.id == AuditEvent.application_id).where(
        Application.service_code == SERVICE, Application.state == State.WITHDRAWN.value,
        AuditEvent.action == "withdraw", AuditEvent.actor == "system")))
    statuses = bulk_statuses(session, apps, deemed)
    outcome = Counter(statuses.values())
    out.by_outcome = [(code, LABELS[code], outcome[code]) for code in LABELS if outcome[code]]
    per_category: dict[str, Counter] = defaultdict(Counter)
    for app in apps:
        per_category[app.category or ""][statuses[app.id]] += 1
    granted_codes = ("granted", "granted_on_correction")
    out.by_category = [{"category": code, "label": category_label(code), "total": sum(c.values()),
                        "granted": sum(c[g] for g in granted_codes), "refused": c["refused"],
                        "terminated": c["terminated"],
                        "pending": c["pending"] + c["urgent"],
                        "withdrawn": c["withdrawn"] + c["deemed_withdrawn"]}
                       for code, c in sorted(per_category.items(), key=lambda kv: -sum(kv[1].values()))]
    paths = _decision_paths(session, lo, hi)
    path_count = Counter(paths.get(a.id) for a in apps if a.state in DECIDED_STATES)
    out.by_path = [(PATH_LABELS.get(p, str(p)), n) for p, n in path_count.most_common()]
    out.decision_time = _decision_time(quanke, session, apps)
    out.lawyers, out.assignments = _lawyers(session, set(ids))
    out.objections = _objections(session, set(ids))
    out.urgent = len(application_ids(session, UrgentAid.application_id) & set(ids))
    return out


def _aware(moment: dt.datetime) -> dt.datetime:
    # coalesce() over UTCDateTime columns comes back naive on SQLite: it is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _decision_time(quanke, session: Session, apps) -> dict:
    calendar = quanke.calendar(session)
    counting = quanke.service(SERVICE).deadline_counting
    days, on_time, late, buckets = [], 0, 0, Counter()
    limits: dict[dt.date, dt.date] = {}  # many cases share a day of receipt
    for app in apps:
        if app.state not in DECIDED_STATES or not (app.accepted_at and app.decided_at):
            continue
        # Art. 43 counts from receipt, so the time to decide does too.
        received_at = _aware(app.received_at or app.accepted_at)
        elapsed = (_aware(app.decided_at) - received_at).total_seconds() / 86400
        days.append(elapsed)
        received = local_date(received_at)
        if received not in limits:
            limits[received] = due_on(calendar, received, DECISION_DAYS, counting)
        if local_date(app.decided_at) <= limits[received]:
            on_time += 1
        else:
            late += 1
        whole = (local_date(app.decided_at) - received).days
        for label, upper in TIME_BUCKETS:
            if upper is None or whole <= upper:
                buckets[label] += 1
                break
    return {"decided": len(days), "on_time": on_time, "late": late,
            "average_days": round(statistics.fmean(days), 2) if days else None,
            "median_days": round(statistics.median(days), 2) if days else None,
            "max_days": round(max(days), 2) if days else None,
            "buckets": [{"label": label, "count": buckets[label]} for label, _ in TIME_BUCKETS]}


def _lawyers(session: Session, ids: set[int]) -> tuple[list[dict], dict]:
    rows = []
    per = defaultdict(lambda: {"active": 0, "total": 0, "late": 0})
    late_total = on_time_total = 0
    for lawyer_id, status, kind, due, assigned_at, app_id in session.execute(select(
            Assignment.lawyer_id, Assignment.status, Assignment.kind, Assignment.due_on,
            Assignment.assigned_at, Assignment.application_id)):
        stats = per[lawyer_id]
        stats["total"] += 1
        stats["active"] += status == "active"
        if due is not None and kind != "urgent":
            if local_date(assigned_at) > due:
                stats["late"] += 1
                late_total += app_id in ids
            else:
                on_time_total += app_id in ids
    for lawyer in session.scalars(select(Lawyer).order_by(Lawyer.id)):
        s = per[lawyer.id]
        rows.append({"id": lawyer.id, "name": lawyer.name, "firm": lawyer.firm, "active": s["active"],
                     "total": s["total"], "late": s["late"], "max_active": lawyer.max_active,
                     "on_roster": lawyer.active})
    return rows, {"on_time": on_time_total, "late": late_total}


def _objections(session: Session, ids: set[int]) -> dict:
    counts = Counter()
    late = 0
    for obj in session.scalars(select(Objection)):  # objections are few; filter here
        if obj.application_id not in ids:
            continue
        counts[obj.status] += 1
        if obj.decided_at and local_date(obj.decided_at) > obj.due_on:
            late += 1
    return {"pending": counts["pending"], "upheld": counts["upheld"], "corrected": counts["corrected"],
            "late": late}
