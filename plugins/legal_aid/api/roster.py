"""The lawyer roster: the list with caseloads and conflicts, adding a lawyer, a conflict of interest."""
from __future__ import annotations

from flask import jsonify

from plugins.legal_aid import api_schemas as doc
from plugins.legal_aid.api.blueprint import bp, need, quanke
from plugins.legal_aid.api.parsing import body, integer, text
from plugins.legal_aid.domain import access, roster
from plugins.legal_aid.models import Lawyer


def _lawyer(lw: Lawyer, loads) -> dict:
    active, total = loads.get(lw.id, (0, 0))
    return {"id": lw.id, "name": lw.name, "licence_no": lw.licence_no, "firm": lw.firm, "phone": lw.phone,
            "max_active": lw.max_active, "on_roster": lw.active, "active_cases": active, "total_cases": total,
            "conflicts": [{"party_name": c.party_name, "note": c.note} for c in lw.conflicts]}


@bp.get("/lawyers")
@doc.lawyers
def lawyers():
    need(lambda u: access.is_centre(u) or access.may_keep_roster(u))
    with quanke().db.session() as session:
        loads = roster.caseloads(session)
        return jsonify({"items": [_lawyer(lw, loads) for lw in session.query(Lawyer).order_by(Lawyer.id)]})


@bp.post("/lawyers")
@doc.add_lawyer
def add_lawyer():
    from core.api import actor_key
    user = need(access.may_keep_roster)
    data = body()
    max_active = integer(data, "max_active")
    with quanke().db.session() as session:
        lawyer = roster.add_lawyer(session, actor=actor_key(user), name=text(data, "name"),
                                   licence_no=text(data, "licence_no"), firm=text(data, "firm"),
                                   phone=text(data, "phone"), max_active=10 if max_active is None else max_active)
        return jsonify(_lawyer(lawyer, {})), 201


@bp.post("/lawyers/<int:lawyer_id>/conflicts")
@doc.add_conflict
def add_conflict(lawyer_id: int):
    from core.api import actor_key
    user = need(access.may_keep_roster)
    data = body()
    with quanke().db.session() as session:
        roster.add_conflict(session, lawyer_id, party_name=text(data, "party_name"), note=text(data, "note"),
                            actor=actor_key(user))
        return jsonify(_lawyer(session.get(Lawyer, lawyer_id), roster.caseloads(session))), 201
