"""Overdue (超期): the flag on an application past its due date, and the nightly sweep.

Overdue never changes an application's state: :func:`mark_overdue` sets a flag (audited,
department notified) that puts the application first in its department's queue, and
:func:`sweep_overdue` (scheduled) flags every running application past its due date.
Running either twice does nothing more.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.platform.clock import today
from core.platform.models import Application, State
from core.statemachine.notices import notify_department
from core.statemachine.transitions import after_commit, finish, load_application


def mark_overdue(quanke, app_id: int, *, day: dt.date) -> Application | None:
    """Flag an application whose due date has passed (超期) and tell its department.

    Returns None when there was nothing to do (idempotent).
    """
    with quanke.db.session() as session:
        app = load_application(session, app_id, lock=True)
        if (app.overdue or app.paused or app.due_date is None or app.due_date >= day
                or app.state not in (State.ACCEPTED.value, State.IN_REVIEW.value)):
            return None
        app.overdue, app.overdue_since = True, app.due_date + dt.timedelta(days=1)
        notify_department(session, app, "overdue",
                          f"申请 {app.receipt_no or app.number} 已超过办结期限 {app.due_date:%Y-%m-%d}")
        pending = finish(session, app, "mark_overdue", app.state, "system",
                         {"due_date": app.due_date.isoformat(), "_notify": True})
    after_commit(quanke, pending)
    return app


def sweep_overdue(quanke, *, day: str | dt.date | None = None) -> int:
    """Flag every running application whose due date is before ``day``; returns how many."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or today()
    with quanke.db.session() as session:
        ids = session.scalars(select(Application.id).where(
            Application.state.in_([State.ACCEPTED.value, State.IN_REVIEW.value]),
            Application.overdue.is_(False), Application.paused.is_(False),
            Application.due_date < day)).all()
    return sum(1 for app_id in ids if mark_overdue(quanke, app_id, day=day) is not None)
