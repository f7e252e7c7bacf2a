"""Cases: the list, one case, and the centre's decisions on it (decide, urgent aid, assign or
reassign a lawyer, terminate); each answers with the case as it is now."""
from __future__ import annotations

from flask import jsonify, request

from core.api import InvalidInput
from plugins.legal_aid import api_schemas as doc
from plugins.legal_aid.api.blueprint import MAX_PER_PAGE, bp, need, quanke
from plugins.legal_aid.api.parsing import body, day, flag, integer, text
from plugins.legal_aid.domain import access, decisions, queries, termination
from plugins.legal_aid.domain.decisions import load
from plugins.legal_aid.domain.detail import case_detail
from plugins.legal_aid.domain.law import CATEGORIES
from plugins.legal_aid.domain.status import LABELS


@bp.get("/cases")
@doc.list_cases
def list_cases():
    need(access.may_read)
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    if status and status not in LABELS:
        raise InvalidInput("status 无效，可选：" + "、".join(LABELS), code="invalid_field", field="status")
    if category and category not in CATEGORIES:
        raise InvalidInput("category 不属于法律援助事项类别", code="invalid_field", field="category")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = min(max(request.args.get("per_page", 20, type=int) or 20, 1), MAX_PER_PAGE)
    with quanke().db.session() as session:
        rows, total = queries.case_list(quanke(), session, status=status, category=category,
                                        q=request.args.get("q", "")[:50], page=page, per_page=per_page)
    items = [{**r.__dict__, **{k: getattr(r, k).isoformat() for k in ("accepted_on", "decide_by", "decided_on")
                               if getattr(r, k)}} for r in rows]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


@bp.get("/cases/<int:app_id>")
@doc.get_case
def get_case(app_id: int):
    need(access.may_read)
    with quanke().db.session() as session:
        return jsonify(case_detail(quanke(), session, load(session, app_id)))


def _case(app_id: int, status: int = 200):
    with quanke().db.session() as session:
        return jsonify(case_detail(quanke(), session, load(session, app_id))), status


@bp.post("/cases/<int:app_id>/decision")
@doc.decide
def decide(app_id: int):
    user = need(access.is_centre)
    data = body()
    decisions.decide(quanke(), user, app_id, grant=flag(data, "grant"), reasons=text(data, "reasons"))
    return _case(app_id)


@bp.post("/cases/<int:app_id>/urgent")
@doc.urgent
def urgent(app_id: int):
    user = need(access.is_centre)
    data = body()
    decisions.give_urgent_aid(quanke(), user, app_id, reason=text(data, "reason"),
                              deadline_on=day(data, "deadline_on", required=False), note=text(data, "note"))
    return _case(app_id, 201)


@bp.post("/cases/<int:app_id>/assignment")
@doc.assign
def assign(app_id: int):
    user = need(access.is_centre)
    decisions.assign_now(quanke(), user, app_id, lawyer_id=integer(body(), "lawyer_id"))
    return _case(app_id, 201)


@bp.post("/cases/<int:app_id>/reassignment")
@doc.reassign
def reassign(app_id: int):
    user = need(access.is_centre)
    data = body()
    decisions.reassign(quanke(), user, app_id, reason=text(data, "reason"), lawyer_id=integer(data, "lawyer_id"))
    return _case(app_id, 201)


@bp.post("/cases/<int:app_id>/termination")
@doc.terminate
def terminate(app_id: int):
    user = need(access.is_centre)
    data = body()
    termination.terminate(quanke(), user, app_id, reason=text(data, "reason"), facts=text(data, "facts"),
                          found_on=day(data, "found_on"), basis=text(data, "basis"))
    return _case(app_id, 201)
