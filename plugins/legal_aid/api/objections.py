"""Objections (Art. 49): lodged, decided by the bureau, a correction carried out by the centre."""
from __future__ import annotations

from flask import jsonify

from plugins.legal_aid import api_schemas as doc
from plugins.legal_aid.api.blueprint import bp, me, need, quanke
from plugins.legal_aid.api.casework import _case
from plugins.legal_aid.api.parsing import body, day, flag, text
from plugins.legal_aid.domain import access, objections


@bp.post("/cases/<int:app_id>/objections")
@doc.lodge
def lodge(app_id: int):
    user = me()
    data = body()
    obj = objections.lodge(quanke(), user, app_id, grounds=text(data, "grounds"),
                           received_on=day(data, "received_on"))
    return jsonify({"id": obj.id, "against": obj.against, "due_on": obj.due_on.isoformat(),
                    "status": obj.status}), 201


@bp.post("/objections/<int:objection_id>/decision")
@doc.decide_objection
def decide_objection(objection_id: int):
    user = need(access.is_bureau)
    data = body()
    obj = objections.decide(quanke(), user, objection_id, uphold=flag(data, "uphold"),
                            reasons=text(data, "reasons"))
    return jsonify({"id": obj.id, "status": obj.status, "document_id": obj.document_id})


@bp.post("/objections/<int:objection_id>/correction")
@doc.correct
def correct(objection_id: int):
    user = need(access.is_centre)
    obj = objections.carry_out(quanke(), user, objection_id, note=text(body(), "note"))
    return _case(obj.application_id)
