"""Due dates that rest on a provisional calendar year (暂定), and their recomputation once the
year's official arrangement is loaded (``quanke calendar load`` or ``HOLIDAY_FILE``).

:func:`provisional_applications` lists every running application whose due date was counted
through a year with no published arrangement; :func:`recompute_provisional` counts each again
on the current calendar and, where the date moved, stores it (audited as ``recompute_due``,
through the state machine's transition) and tells the applicant the new date and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import select

from core.deadlines.calendar import WorkCalendar
from core.deadlines.explain import due_date_explanation
from core.platform.actors import SYSTEM
from core.platform.errors import InvalidState
from core.platform.models import Application, State
from core.statemachine.notices import notify_applicant
from core.statemachine.transitions import transition

RUNNING = (State.ACCEPTED.value, State.IN_REVIEW.value)


@dataclass(frozen=True)
class Provisional:
    """A running application whose due date rests on a provisional year."""

    app_id: int
    number: str
    due_date: object
    years: tuple[int, ...]


def provisional_applications(quanke, *, years: Iterable[int] | None = None) -> list[Provisional]:
    """Running applications whose due-date count passes through a provisional year (or,
    with ``years``, through any of those years — e.g. the ones just made official)."""
    wanted = set(years) if years is not None else None
    out = []
    with quanke.db.session() as session:
        apps = session.scalars(select(Application).where(Application.state.in_(RUNNING),
                                                         Application.accepted_at.is_not(None))
                               .order_by(Application.id)).unique().all()
        for app in apps:
            if wanted is None:
                explanation = due_date_explanation(quanke, session, app)
                touched = explanation.provisional_years if explanation else ()
            else:
                touched = tuple(sorted(_years_counted(quanke, session, app) & wanted))
            if touched:
                out.append(Provisional(app.id, app.receipt_no or app.number, app.due_date, tuple(touched)))
    return out


def _years_counted(quanke, session, app: Application) -> set[int]:
    explanation = due_date_explanation(quanke, session, app)
    if explanation is None:
        return set()
    end = explanation.due_date or app.due_date or explanation.start
    return set(range(explanation.start.year, max(end.year, explanation.start.year) + 1))


def recompute_provisional(quanke, years: Iterable[int], *,
                          progress: Callable[[Iterable], Iterable] = lambda it: it) -> list[dict]:
    """Count again every running application that went through one of ``years`` (now
    official); returns one row per application whose due date moved."""
    quanke.forget_calendar()
    years = tuple(sorted(set(years)))
    moved = []
    for item in progress(provisional_applications(quanke, years=years)):
        result = _recompute_one(quanke, item.app_id, years)
        if result is not None:
            moved.append(result)
    return moved


def _recompute_one(quanke, app_id: int, years: tuple[int, ...]) -> dict | None:
    with quanke.db.session() as session:   # most dates do not move: no transaction for them
        app = session.get(Application, app_id)
        fresh = due_date_explanation(quanke, session, app)
        if app.state not in RUNNING or fresh is None or fresh.due_date == app.due_date:
            return None
    changed: dict = {}

    def body(session, app, _who):
        from core.approval.deadline_clock import recompute_due
        before = app.due_date
        recompute_due(quanke, session, app)
        if app.state not in RUNNING or app.due_date == before:
            raise InvalidState("期限未变化", code="invalid_state")  # changed meanwhile: nothing to record
        year_text = "、".join(f"{y}年" for y in years)
        notified = notify_applicant(
            session, app, "due_date_recomputed", "办结期限调整",
            f"{year_text}节假日安排已公布，您的申请{app.receipt_no or app.number}的办结期限由"
            f"{before:%Y年%m月%d日}调整为{app.due_date:%Y年%m月%d日}。" if before and app.due_date else
            f"{year_text}节假日安排已公布，您的申请{app.receipt_no or app.number}的办结期限已重新计算。")
        changed.update(app_id=app.id, number=app.receipt_no or app.number,
                       before=before, after=app.due_date)
        return {"from_due_date": before.isoformat() if before else None,
                "due_date": app.due_date.isoformat() if app.due_date else None,
                "reason": f"{year_text}节假日安排公布后重新计算", "_notify": notified}

    try:
        transition(quanke, SYSTEM, app_id, "recompute_due", body)
    except InvalidState:
        return None
    return changed or None


def newly_official(before: WorkCalendar, after: WorkCalendar) -> set[int]:
    """Years the load made official (a whole arrangement now on file)."""
    return set(after.official_file_years) - set(before.official_file_years)
