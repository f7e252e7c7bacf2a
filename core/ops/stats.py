"""Statistics for the dashboard (统计分析): read-only aggregate queries over a date range.

Dates are local (Asia/Shanghai) days; ``centre_id`` narrows everything to one centre
(a centre admin sees only their own centre).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.platform.clock import LOCAL_TZ
from core.platform.models import Application, Centre, State

#: Acceptance-to-decision time buckets: (label, upper bound in hours or None).
DURATION_BUCKETS = (("1小时内", 1), ("1-4小时", 4), ("4-24小时", 24), ("1-3天", 72),
                    ("3-7天", 168), ("7-15天", 360), ("15天以上", None))


@dataclass
class Stats:
    start: dt.date
    end: dt.date
    by_service: list[tuple[str, int]] = field(default_factory=list)
    by_centre: list[tuple[str, int]] = field(default_factory=list)
    by_day: list[tuple[dt.date, int]] = field(default_factory=list)
    durations: list[tuple[str, int]] = field(default_factory=list)
    overdue: list[tuple[str, int]] = field(default_factory=list)
    satisfaction: list[tuple[int, int]] = field(default_factory=list)
    #: Ratings of the range left out of ``satisfaction`` because an appeal against them was
    #: upheld (申诉成立) — shown next to the figures, so nobody wonders where they went.
    satisfaction_excluded: int = 0
    by_state: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0

    def rows(self):
        """(section, key, value) for the CSV export."""
        for name, items in (("by_service", self.by_service), ("by_centre", self.by_centre),
                            ("by_day", self.by_day), ("decision_time", self.durations),
                            ("overdue_by_department", self.overdue),
                            ("satisfaction", self.satisfaction), ("by_state", self.by_state)):
            for key, value in items:
                yield name, str(key), value
        yield "satisfaction_excluded", "appeal_upheld", self.satisfaction_excluded


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(), tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(),
                             tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)
    return lo, hi


def _local_day(session: Session, column):
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", func.timezone("UTC", column)))
    return func.date(column, "+8 hours")


def _hours(session: Session, later, earlier):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def compute(session: Session, start: dt.date, end: dt.date, *, centre_id: int | None = None,
            service_names: dict[str, str] | None = None) -> Stats:
    from core.acceptance.ratings import COUNTED, Rating
    names = service_names or {}
    lo, hi = _bounds(start, end)
    out = Stats(start, end)
    where = [Application.created_at >= lo, Application.created_at < hi,
             Application.state != State.DRAFT.value]
    if centre_id:
        where.append(Application.centre_id == centre_id)
    rows = session.execute(select(Application.service_code, func.count()).where(*where)
                           .group_by(Application.service_code).order_by(func.count().desc())).all()
    out.by_service = [(names.get(code, code), n) for code, n in rows]
    out.total = sum(n for _, n in rows)
    rows = session.execute(select(Centre.name, func.count(Application.id))
                           .join(Centre, Centre.id == Application.centre_id).where(*where)
                           .group_by(Centre.name).order_by(func.count(Application.id).desc())).all()
    out.by_centre = [(name, n) for name, n in rows]
    day = _local_day(session, Application.created_at)
    rows = session.execute(select(day, func.count()).where(*where).group_by(day).order_by(day)).all()
    counted = {(d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))): n for d, n in rows}
    span = min((end - start).days + 1, 366)
    out.by_day = [(start + dt.timedelta(days=i), counted.get(start + dt.timedelta(days=i), 0))
                  for i in range(span)]
    hours = _hours(session, Application.decided_at, Application.accepted_at)
    whens = []
    for label, bound in DURATION_BUCKETS:
        if bound is not None:
            whens.append((hours < bound, label))
    bucket = case(*whens, else_=DURATION_BUCKETS[-1][0])
    dwhere = [Application.decided_at >= lo, Application.decided_at < hi,
              Application.accepted_at.is_not(None)]
    if centre_id:
        dwhere.append(Application.centre_id == centre_id)
    rows = dict(session.execute(select(bucket, func.count()).where(*dwhere).group_by(bucket)).all())
    out.durations = [(label, rows.get(label, 0)) for label, _ in DURATION_BUCKETS]
    owhere = [Application.overdue.is_(True),
              Application.state.in_([State.ACCEPTED.value, State.IN_REVIEW.value])]
    if centre_id:
        owhere.append(Application.centre_id == centre_id)
    out.overdue = [(d, n) for d, n in session.execute(
        select(Application.department_code, func.count()).where(*owhere)
        .group_by(Application.department_code).order_by(Application.department_code)).all()]
    rwhere = [Rating.at >= lo, Rating.at < hi]
    if centre_id:
        rwhere.append(Rating.centre_id == centre_id)
    rows = dict(session.execute(select(Rating.level, func.count()).where(*rwhere, Rating.status == COUNTED)
                                .group_by(Rating.level)).all())
    out.satisfaction = [(level, rows.get(level, 0)) for level in (5, 4, 3, 2, 1)]
    out.satisfaction_excluded = session.scalar(select(func.count()).select_from(Rating)
                                               .where(*rwhere, Rating.status != COUNTED))
    out.by_state = [(s, n) for s, n in session.execute(
        select(Application.state, func.count()).where(*where).group_by(Application.state)
        .order_by(Application.state)).all()]
    return out
