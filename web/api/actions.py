"""Workflow actions on one application (accept, return, claim, approve, issue, deliver, …),
each answering the application's summary; and the citizen's rating of an application or of a
served queue number (the counter's second screen)."""
from __future__ import annotations

from flask import jsonify

from core import acceptance, approval
from core.acceptance import first_contact, ratings
from core.platform.errors import InvalidInput
from core.platform.models import Application

from ..helpers import quanke
from .plumbing import b, body, bp, i, me, s, strs, uploads_from
from .shapes import after, application_json, check_visible, rating_json


def _action(app_id: int, fn, status: int = 200):
    """Visible (else 404), then the workflow action; answers the application's summary."""
    check_visible(app_id)
    result = fn()
    app = result if isinstance(result, Application) else None
    if app is None or app.id != app_id:
        return after(app_id, status)
    return jsonify(application_json(app)), status


@bp.post("/api/v1/applications/<int:app_id>/materials")
def add_materials(app_id: int):
    data = body()
    paper, uploads = strs(data, "paper"), uploads_from(data)
    return _action(app_id, lambda: acceptance.attach_material(quanke(), me(), app_id, paper=paper,
                                                            uploads=uploads))


@bp.post("/api/v1/applications/<int:app_id>/accept")
def accept(app_id: int):
    data = body()
    reason = s(data, "warn_reason")
    return _action(app_id, lambda: acceptance.accept(quanke(), me(), app_id, warn_reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/return")
def return_(app_id: int):
    data = body()
    defects = data.get("defects") or {}
    if not isinstance(defects, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) <= 1000
                                                for k, v in defects.items()):
        raise InvalidInput("defects 应为 {材料编码: 原因} 对象", code="invalid_field", field="defects")
    note = s(data, "note")
    return _action(app_id, lambda: acceptance.return_for_correction(quanke(), me(), app_id,
                                                                  defects=defects, note=note))


@bp.post("/api/v1/applications/<int:app_id>/refuse")
def refuse(app_id: int):
    reasons = s(body(), "reasons")
    return _action(app_id, lambda: acceptance.refuse(quanke(), me(), app_id, reasons=reasons))


@bp.post("/api/v1/applications/<int:app_id>/resubmit")
def resubmit(app_id: int):
    return _action(app_id, lambda: acceptance.resubmit(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/claim")
def claim(app_id: int):
    return _action(app_id, lambda: approval.claim(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/release")
def release(app_id: int):
    data = body()
    to_user = i(data, "to_user_id", lo=1, hi=2**31 - 1) if data.get("to_user_id") is not None else None
    note = s(data, "note") if data.get("note") is not None else ""
    return _action(app_id, lambda: approval.release(quanke(), me(), app_id, to_user_id=to_user, note=note))


@bp.post("/api/v1/applications/<int:app_id>/hand-over")
def hand_over(app_id: int):
    """首问负责: name the next owner (a staff member or a department queue) with a note."""
    data = body()
    to_user = i(data, "to_user_id", lo=1, hi=2**31 - 1) if data.get("to_user_id") is not None else None
    department = s(data, "to_department") if data.get("to_department") is not None else None
    return _action(app_id, lambda: first_contact.hand_over(
        quanke(), me(), app_id, to_user_id=to_user, to_department=department, note=s(data, "note")))


@bp.post("/api/v1/enquiries")
def record_enquiry():
    """A counter enquiry (咨询) with its answer or its handover."""
    data = body()
    to_user = i(data, "to_user_id", lo=1, hi=2**31 - 1) if data.get("to_user_id") is not None else None
    optional = {k: s(data, k) for k in ("answer", "to_department", "note", "service_code")
                if data.get(k) is not None}
    with quanke().db.session() as db:
        enquiry = first_contact.record_enquiry(quanke(), db, me(), question=s(data, "question"),
                                               to_user_id=to_user, **optional)
        out = {"id": enquiry.id, "state": enquiry.state, "received_by_id": enquiry.received_by_id,
               "owner": first_contact.owner_label(db, enquiry.owner_id, enquiry.owner_department)}
    return jsonify(out), 201


@bp.post("/api/v1/applications/<int:app_id>/assign")
def assign(app_id: int):
    target = i(body(), "approver_id", required=True, lo=1)
    return _action(app_id, lambda: approval.assign(quanke(), me(), app_id, approver_id=target))


@bp.post("/api/v1/applications/<int:app_id>/approve")
def approve(app_id: int):
    data = body()
    reasons, and_issue = s(data, "reasons"), b(data, "issue")

    def run():
        if and_issue:
            return approval.approve_and_issue(quanke(), me(), app_id, reasons=reasons)
        approval.approve(quanke(), me(), app_id, reasons=reasons)
        return None  # read again: the service's plugin may have issued on approval
    return _action(app_id, run)


@bp.post("/api/v1/applications/<int:app_id>/reject")
def reject(app_id: int):
    reasons = s(body(), "reasons")
    return _action(app_id, lambda: approval.reject(quanke(), me(), app_id, reasons=reasons))


@bp.post("/api/v1/applications/<int:app_id>/issue")
def issue(app_id: int):
    return _action(app_id, lambda: approval.issue(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/recheck")
def recheck(app_id: int):
    return _action(app_id, lambda: approval.recheck(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/pause")
def pause(app_id: int):
    reason = s(body(), "reason")
    return _action(app_id, lambda: approval.pause(quanke(), me(), app_id, reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/resume")
def resume(app_id: int):
    return _action(app_id, lambda: approval.resume(quanke(), me(), app_id))


@bp.post("/api/v1/applications/<int:app_id>/extend")
def extend(app_id: int):
    data = body()
    days, reason = i(data, "days", required=True, lo=-1000, hi=1000), s(data, "reason")
    return _action(app_id, lambda: approval.extend(quanke(), me(), app_id, days=days, reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/deliver")
def deliver(app_id: int):
    data = body()
    kwargs = {"method": s(data, "method", max_len=16, default="pickup"),
              "recipient_name": s(data, "recipient_name", max_len=64),
              "recipient_id_number": s(data, "recipient_id_number", max_len=32),
              "tracking_no": s(data, "tracking_no", max_len=64)}
    return _action(app_id, lambda: acceptance.deliver(quanke(), me(), app_id, **kwargs))


@bp.post("/api/v1/applications/<int:app_id>/withdraw")
def withdraw(app_id: int):
    reason = s(body(), "reason")
    return _action(app_id, lambda: acceptance.withdraw(quanke(), me(), app_id, reason=reason))


@bp.post("/api/v1/applications/<int:app_id>/rating")
def rate(app_id: int):
    data = body()
    level, comment = i(data, "level", required=True, lo=-100, hi=100), s(data, "comment", max_len=2000)
    check_visible(app_id)
    with quanke().db.session() as db:
        rating = ratings.rate(quanke(), db, me(), app_id, level=level, comment=comment)
        out = rating_json(rating)
    return jsonify(out), 201


@bp.post("/api/v1/enquiries/<int:item_id>/rating")
def rate_enquiry(item_id: int):
    data = body()
    level, comment = i(data, "level", required=True, lo=-100, hi=100), s(data, "comment", max_len=2000)
    with quanke().db.session() as db:
        rating = ratings.rate_subject(quanke(), db, me(), kind="enquiry", subject_id=item_id,
                                      level=level, comment=comment)
        out = rating_json(rating)
    return jsonify(out), 201


@bp.post("/api/v1/tickets/<int:ticket_id>/rating")
def rate_ticket(ticket_id: int):
    data = body()
    level, comment = i(data, "level", required=True, lo=-100, hi=100), s(data, "comment", max_len=2000)
    with quanke().db.session() as db:
        rating = ratings.rate_subject(quanke(), db, me(), kind="ticket", subject_id=ticket_id,
                                      level=level, comment=comment)
        out = rating_json(rating)
    return jsonify(out), 201
