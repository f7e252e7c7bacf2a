"""Editing a draft (修改草稿) before it is submitted: the citizen in the portal, or a counter
worker helping the citizen in front of them (with their consent recorded).

Both pages show the service's own form filled with what the draft holds, its materials (each
can be removed) and new uploads, and the delivery choice; saving goes through
``core.acceptance.drafts.update_draft``, which validates, audits and refuses anything but a draft.
A failed save shows the page again with every typed value kept and the errors by the fields.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core import acceptance
from core.platform.errors import QuankeError
from core.platform.models import Application, Centre, Role, State

from .access import can_view, may_help_with_draft
from .counter import parse_materials
from .delivery import delivery_errors, posted_address, posted_choice, stored_choice
from .helpers import db_id, flash_error, quanke
from .identity import actor, citizen_required, staff_required

bp = Blueprint("drafts", __name__)
PREFIX = "f"


def _stored_form(service, app: Application):
    """The service's form filled with the draft's stored data (as if it had been posted)."""
    pairs = acceptance.to_formdata(app.form_data or {})
    return service.form(formdata=MultiDict([(f"{PREFIX}-{k}", v) for k, v in pairs.items(multi=True)]),
                        prefix=PREFIX)


def _load_draft(db, app_id: int, who, *, counter: bool) -> Application:
    app = db.get(Application, app_id)
    if app is None:
        abort(404)
    if counter:
        if not may_help_with_draft(who, app, db):
            abort(404)
    elif not can_view(who, app, db=db):
        abort(404)
    return app


def _edit(app_id: int, *, counter: bool):
    q, who = quanke(), actor()
    back = url_for("portal.application", app_id=app_id)
    with q.db.session() as db:
        app = _load_draft(db, app_id, who, counter=counter)
        if app.state != State.DRAFT.value:
            flash(_("只有草稿可以修改；已提交的申请如需更正，请等待窗口的一次性告知补正"), "warning")
            return redirect(url_for("counter.application", app_id=app_id) if counter else back)
        service = q.service(app.service_code)
        materials = [{"row": m, "name": _material_name(service, m.code)} for m in app.materials]
        centres = [(str(c.id), c.name) for c in db.scalars(select(Centre).order_by(Centre.code))]
        if counter:
            back = url_for("counter.applicant_page", applicant_id=app.applicant_id)
        stored = stored_choice(app)
        number = app.number
    errors: dict = {}
    if request.method == "POST":
        form = service.form(formdata=request.form, prefix=PREFIX)
        if form.validate():
            paper, uploads = parse_materials(service, allow_paper=counter)
            pickup = request.form.get("pickup_centre_id", "")
            remove = [value for value in (db_id(x) for x in request.form.getlist("remove")) if value]
            try:
                acceptance.update_draft(
                    q, who, app_id, form_data=dict(form.data), paper=paper, uploads=uploads,
                    remove_materials=remove,
                    delivery_method=request.form.get("delivery_method", "pickup"),
                    courier_address=posted_address(request.form),
                    pickup_centre_id=db_id(pickup) if pickup in dict(centres) else None,
                    consent=request.form.get("consent") == "y")
                flash(_("草稿已保存"), "success")
                return redirect(back)
            except QuankeError as exc:
                flash_error(exc)
                errors = delivery_errors(exc)
                for name, messages in (exc.details or {}).get("fields", {}).items():
                    if name in form._fields:
                        form._fields[name].errors = list(messages)
        else:
            flash(_("申请表填写有误，请按提示修改"), "error")
        choice = posted_choice(request.form)
    else:
        form = _stored_form(service, app)
        choice = stored
    return render_template("drafts/edit.html", service=service, form=form, app_id=app_id,
                           number=number, materials=materials, centres=centres, choice=choice,
                           delivery_errors=errors, counter=counter, back=back)


def _material_name(service, code: str) -> str:
    try:
        return service.material(code).name
    except KeyError:
        return code


@bp.route("/portal/applications/<int:app_id>/edit", methods=["GET", "POST"])
@citizen_required
def portal_edit(app_id: int):
    return _edit(app_id, counter=False)


@bp.route("/counter/drafts/<int:app_id>/edit", methods=["GET", "POST"])
@staff_required(Role.COUNTER)
def counter_edit(app_id: int):
    return _edit(app_id, counter=True)


def drafts_for(db, user, applicant_id: int) -> list[Application]:
    """The applicant's drafts this counter worker may help with (for the applicant page)."""
    rows = db.scalars(select(Application).where(Application.applicant_id == applicant_id,
                                                Application.state == State.DRAFT.value)
                      .order_by(Application.created_at.desc()).limit(20)).unique().all()
    return [a for a in rows if may_help_with_draft(user, a, db)]
