"""The overdue sweep (超期扫描): a scheduled job that flags applications past their due date.

It never changes an application's state: it sets the overdue flag through
:func:`core.workflow.mark_overdue` (audited, department notified), which puts the
application first in its department's queue. Running it twice does nothing more.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .clock import today
from .models import Application, State


def sweep_overdue(quanke, *, day: str | dt.date | None = None) -> int:
    """Flag every running application whose due date is before ``day``; returns how many."""
    from . import workflow

    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or today()
    with quanke.db.session() as session:
        ids = session.scalars(select(Application.id).where(
            Application.state.in_([State.ACCEPTED.value, State.IN_REVIEW.value]),
            Application.overdue.is_(False), Application.paused.is_(False),
            Application.due_date < day)).all()
    flagged = 0
    for app_id in ids:
        if workflow.mark_overdue(quanke, app_id, day=day) is not None:
            flagged += 1
    return flagged
