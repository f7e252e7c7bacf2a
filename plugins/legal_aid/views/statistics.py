"""Statistics of the legal-aid centre for a range of days (``/legal-aid/stats``)."""
from __future__ import annotations

import datetime as dt

from flask import flash, render_template, request
from flask_login import login_required

from core.api import today
from plugins.legal_aid.domain import access, queries
from plugins.legal_aid.views.blueprint import bp, need, quanke


def _day(name: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


@bp.get("/stats")
@login_required
def stats():
    need(access.may_read)
    end = _day("end", today())
    start = _day("start", end - dt.timedelta(days=89))
    if start > end:
        flash("开始日期不能晚于结束日期", "error")
        start = end
    with quanke().db.session() as session:
        result = queries.compute(quanke(), session, start, end)
    return render_template("legal_aid/stats.html", s=result)
