"""A department's approval queue, and the counter's queue tickets (取号, 叫号)."""
from __future__ import annotations

from flask import jsonify, request

from core.acceptance import tickets
from core.approval import queues
from core.platform import inputs
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Centre, Role

from ..helpers import quanke
from .plumbing import body, bp, iso, me, need, page_params, paged, s
from .shapes import application_json


@bp.get("/api/v1/queues/<department>")
def department_queue(department: str):
    user = need(Role.APPROVER, Role.DEPT_LEAD)
    if department not in queues.departments_for(user):
        raise Forbidden("只能查看本部门的审批队列", code="forbidden_department")
    page, per_page = page_params()
    status = request.args.get("status", "open")
    if status not in queues.STATUS_FILTERS:
        raise InvalidInput(f"status 只能是 {', '.join(queues.STATUS_FILTERS)}", code="invalid_field",
                           field="status")
    centre = inputs.parse_id(request.args.get("centre_id"), field="centre_id")
    with quanke().db.session() as db:
        rows, total = queues.queue(db, department, status=status, service=request.args.get("service"),
                                   centre_id=centre, user_id=user.id,
                                   page=page, per_page=per_page)
        out = paged([application_json(a) for a in rows], page, per_page, total)
        out["counts"] = queues.counts(db, [department], user.id)[department]
    return jsonify(out)


def _ticket_json(t) -> dict:
    return {"id": t.id, "number": t.number, "kind": t.kind, "status": t.status,
            "service_code": t.service_code, "taken_at": iso(t.taken_at), "window": t.window}


@bp.get("/api/v1/tickets")
def waiting_tickets():
    user = need(Role.COUNTER)
    with quanke().db.session() as db:
        items = [_ticket_json(t) for t in tickets.waiting(db, user.centre_id or -1)]
        current = tickets.current_for(db, user)
        return jsonify({"items": items, "current": _ticket_json(current) if current else None})


@bp.post("/api/v1/tickets")
def take_ticket():
    need(Role.COUNTER)
    data = body()
    service_code = s(data, "service_code", max_len=96)
    if service_code and service_code not in quanke().plugins.services:
        raise InvalidInput("未知的办理事项", code="unknown_service", field="service_code")
    with quanke().db.session() as db:
        centre = tickets.centre_by_code(db, s(data, "centre", max_len=32) or
                                        (db.get(Centre, me().centre_id).code if me().centre_id else ""))
        ticket = tickets.take_ticket(db, centre, service_code=service_code)
        return jsonify(_ticket_json(ticket)), 201


@bp.post("/api/v1/tickets/call")
def call_ticket():
    data = body()
    window = s(data, "window", max_len=16)
    with quanke().db.session() as db:
        ticket = tickets.call_next(db, me(), window=window)
        return jsonify({"ticket": _ticket_json(ticket) if ticket else None})
