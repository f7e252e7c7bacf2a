"""首问负责制 at the counter: hand a case over by name, record an enquiry (咨询) in seconds
with its answer or its handover, answer what was handed to me."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from core.acceptance import first_contact
from core.platform.errors import QuankeError
from core.platform.models import Role

from ..common import run_action
from ..helpers import db_id, flash_error, quanke
from ..identity import actor, staff_required
from .blueprint import bp

HANDOVER_ROLES = (Role.COUNTER, Role.AGENT, Role.APPROVER, Role.DEPT_LEAD, Role.CENTRE_ADMIN,
                  Role.SYS_ADMIN)
#: where a handover form may send the user back to (never an address typed in the form)
BACK = {"counter": "counter.application", "approvals": "approvals.application"}


def _target():
    to_user = db_id(request.form.get("to_user_id")) if request.form.get("to_user_id") else None
    department = (request.form.get("to_department") or "").strip()[:64] or None
    return to_user, department


@bp.post("/applications/<int:app_id>/hand-over")
@staff_required(*HANDOVER_ROLES)
def hand_over(app_id: int):
    to_user, department = _target()
    back = url_for(BACK.get(request.form.get("back"), "counter.application"), app_id=app_id)
    note = request.form.get("note", "")
    return run_action(app_id, lambda: first_contact.hand_over(
        quanke(), actor(), app_id, to_user_id=to_user, to_department=department, note=note),
        _("已移交，接手人已记录"), back)


@bp.post("/counter/enquiries")
@staff_required(Role.COUNTER, Role.AGENT)
def record_enquiry():
    to_user, department = _target()
    try:
        with quanke().db.session() as db:
            enquiry = first_contact.record_enquiry(
                quanke(), db, actor(), question=request.form.get("question", ""),
                answer=request.form.get("answer", ""), to_user_id=to_user, to_department=department,
                note=request.form.get("note", ""), service_code=request.form.get("service_code") or None)
            state = enquiry.state
        flash(_("咨询已登记并答复") if state == "answered" else _("咨询已登记并移交"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("counter.home") + "#first-contact")


@bp.post("/counter/enquiries/<int:item_id>/answer")
@staff_required(*HANDOVER_ROLES)
def answer_enquiry(item_id: int):
    try:
        with quanke().db.session() as db:
            first_contact.answer_enquiry(db, actor(), item_id, answer=request.form.get("answer", ""))
        flash(_("已答复"), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("counter.home") + "#first-contact")
