"""The economic hardship standards (Art. 34): the list, and loading a CSV file (all lines or none)."""
from __future__ import annotations

from flask import jsonify, request

from core.api import InvalidInput
from plugins.legal_aid import api_schemas as doc
from plugins.legal_aid.api.blueprint import bp, need, quanke
from plugins.legal_aid.domain import access, standards


@bp.get("/standards")
@doc.list_standards
def list_standards():
    need(access.may_read)
    with quanke().db.session() as session:
        rows = standards.all_standards(session)
        return jsonify({"items": [{"area_code": r.area_code, "effective_from": r.effective_from.isoformat(),
                                   "monthly_per_head": str(r.monthly_per_head),
                                   "assets_per_head": None if r.assets_per_head is None else str(r.assets_per_head),
                                   "source": r.source} for r in rows]})


@bp.post("/standards")
@doc.load_standards
def load_standards():
    """The CSV file as the request body (``text/csv``); all lines or none."""
    from core.api import actor_key
    user = need(access.may_keep_roster)
    raw = request.get_data(cache=False)
    if not raw or len(raw) > 1_000_000:
        raise InvalidInput("请求体应为不超过1MB的 CSV 文件", code="invalid_standards_file")
    with quanke().db.session() as session:
        report = standards.load_bytes(session, raw, filename="api-upload.csv", actor=actor_key(user))
    return jsonify({"inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged}), 201
