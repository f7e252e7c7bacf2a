"""Statistics of the legal-aid centre for a range of days (``GET /stats``)."""
from __future__ import annotations

import datetime as dt

from flask import jsonify, request

from core.api import InvalidInput, today
from plugins.legal_aid import api_schemas as doc
from plugins.legal_aid.api.blueprint import bp, need, quanke
from plugins.legal_aid.api.parsing import day
from plugins.legal_aid.domain import access, queries


@bp.get("/stats")
@doc.stats
def stats():
    need(access.may_read)
    end = day(request.args, "end", required=False) or today()
    start = day(request.args, "start", required=False) or end - dt.timedelta(days=89)
    if start > end:
        raise InvalidInput("start 不能晚于 end", code="invalid_range", field="start")
    with quanke().db.session() as session:
        return jsonify(queries.compute(quanke(), session, start, end).as_dict())
