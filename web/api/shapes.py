"""What the API answers: the JSON shapes of services, applications and applicants, and the
application looked up only when the caller may see it (404 otherwise)."""
from __future__ import annotations

from flask import g, jsonify

from core import approval
from core.acceptance.delivery_choice import masked as masked_address
from core.platform.errors import NotFound
from core.platform.identifiers import mask_id, mask_name, mask_phone
from core.platform.masking import mask_form
from core.platform.models import Applicant, Application, Citizen

from ..access import can_view, may_help_with_draft
from ..helpers import quanke
from .plumbing import iso, me


def service_summary(service) -> dict:
    return {"code": service.code, "name": service.name, "department": service.department,
            "department_name": quanke().plugins.departments.get(service.department, service.department),
            "deadline_working_days": service.deadline_working_days,
            "channels": sorted(service.channels), "identity": sorted(service.identity)}


def application_json(app: Application, *, detail: bool = False, reveal: bool = False) -> dict:
    out = {
        "id": app.id, "number": app.number, "receipt_no": app.receipt_no,
        "service_code": app.service_code,
        "service_name": quanke().plugins.services[app.service_code].name
        if app.service_code in quanke().plugins.services else app.service_code,
        "department_code": app.department_code, "state": app.state, "channel": app.channel,
        "applicant": {"id": app.applicant.id, "kind": app.applicant.kind,
                      "name": app.applicant.name if reveal else mask_name(app.applicant.name),
                      "id_number": app.applicant.id_number if reveal else mask_id(app.applicant.id_number),
                      "phone": app.applicant.phone if reveal else mask_phone(app.applicant.phone)},
        "centre_id": app.centre_id, "pickup_centre_id": app.pickup_centre_id,
        "delivery_method": app.delivery_method,
        "courier_address": app.courier_address if reveal else masked_address(app.courier_address),
        "created_at": iso(app.created_at),
        "submitted_at": iso(app.submitted_at), "accepted_at": iso(app.accepted_at),
        "decided_at": iso(app.decided_at), "due_date": iso(app.due_date), "overdue": app.overdue,
        "paused": app.paused, "claimed_by_id": app.claimed_by_id,
        # 首问负责: who owns the case now (a person or a department queue)
        "owner": {"user_id": app.owner_id, "department": app.owner_department},
    }
    if detail:
        # Sensitive fields masked by kind, except in an audited reveal (reveal=1), to the
        # citizen whose application it is, and in a draft (its author writes it back whole).
        service = quanke().plugins.services.get(app.service_code)
        who = me()
        own = isinstance(who, Citizen) and who.id == app.citizen_id
        out["form_data"] = app.form_data if (reveal or own or app.state == "draft") else mask_form(
            app.form_data, service.sensitive_fields if service else {})
        out["materials"] = [{"id": m.id, "code": m.code, "status": m.status, "filename": m.filename,
                             "content_type": m.content_type, "size": m.size, "note": m.note,
                             "created_at": iso(m.created_at)} for m in app.materials]
        out["evidence"] = [{"phase": e.phase, "check": e.check_code, "name": e.check_name,
                            "outcome": e.outcome, "reasons": e.reasons, "hit": e.hit,
                            "list_version": e.list_version, "at": iso(e.queried_at)}
                           for e in app.evidence]
        out["changes_since_acceptance"] = approval.evidence_changes(app)
        out["on_behalf"] = app.on_behalf
        out["consent_text"] = app.consent_text
        out["warn_reason"] = app.warn_reason
        out["extension_days"] = app.extension_days
    return out


def visible_app(db, app_id: int) -> Application:
    app = db.get(Application, app_id)
    if app is None or not (can_view(me(), app, db=db) or may_help_with_draft(me(), app, db)):
        raise NotFound("申请不存在", code="application_not_found")
    return app


def after(app_id: int, status: int = 200):
    with quanke().db.session() as db:
        return jsonify(application_json(visible_app(db, app_id), detail=True)), status


def check_visible(app_id: int) -> None:
    known = g.get("visible")
    if known is not None and known[0] == app_id:
        if not known[1]:
            raise NotFound("申请不存在", code="application_not_found")
        return
    with quanke().db.session() as db:
        visible_app(db, app_id)


def applicant_json(person: Applicant) -> dict:
    return {"id": person.id, "kind": person.kind, "name": person.name,
            "id_number": person.id_number, "phone": mask_phone(person.phone)}


def rating_json(rating) -> dict:
    """A rating: its subject (kind and id), level, comment and whether it counts."""
    return {"id": rating.id, "kind": rating.kind, "subject_id": rating.subject_id,
            "level": rating.level, "label": rating.label, "comment": rating.comment,
            "channel": rating.channel, "at": iso(rating.at), "status": rating.status,
            "follow_up": rating.follow_up.id if rating.follow_up else None,
            "appeal": appeal_json(rating.appeal) if rating.appeal else None}


def appeal_json(appeal) -> dict:
    return {"id": appeal.id, "rating_id": appeal.rating_id, "status": appeal.status,
            "reasons": appeal.reasons, "filed_at": iso(appeal.filed_at),
            "decision_reasons": appeal.decision_reasons,
            "decided_at": iso(appeal.decided_at) if appeal.decided_at else None}
