"""A citizen's own application: the page, submitting, the identity steps page, uploading
materials (and resubmitting a correction), withdrawing and rating."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core import acceptance
from core.acceptance import ratings
from core.platform.errors import QuankeError
from core.platform.models import State

from ..common import details, load_app
from ..counter import parse_materials
from ..forms import RatingForm
from ..helpers import flash_error, quanke
from ..identity import citizen_required
from .blueprint import IDENTITY_STEP_NAMES, IDENTITY_STEP_VIEWS, _me, _step_order, _submit, bp


@bp.get("/applications/<int:app_id>")
@citizen_required
def application(app_id: int):
    me = _me()
    with quanke().db.session() as db:
        app = load_app(db, app_id, me)
        info = details(db, app, me, for_citizen=True)
        service = info["service"]
        missing_steps = sorted(set(service.identity) - set(app.identity_passed or []))
        return render_template("portal/application.html", rating_form=RatingForm(),
                               missing_steps=[(s, IDENTITY_STEP_NAMES.get(s, s)) for s in missing_steps],
                               **info)


@bp.post("/applications/<int:app_id>/submit")
@citizen_required
def submit(app_id: int):
    return _submit(app_id)


@bp.get("/applications/<int:app_id>/identity")
@citizen_required
def identity(app_id: int):
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        service = quanke().service(app.service_code)
        passed = set(app.identity_passed or [])
        steps = [{"code": s, "name": IDENTITY_STEP_NAMES.get(s, s), "passed": s in passed,
                  "endpoint": IDENTITY_STEP_VIEWS.get(s)}
                 for s in sorted(service.identity, key=_step_order)]
        return render_template("portal/identity.html", app=app, service=service, steps=steps,
                               complete=all(s["passed"] for s in steps),
                               can_submit=app.state == State.DRAFT.value)


@bp.post("/applications/<int:app_id>/materials")
@citizen_required
def materials(app_id: int):
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        service = quanke().service(app.service_code)
        state = app.state
    _paper, uploads = parse_materials(service, allow_paper=False)
    if not uploads:
        flash(_("请选择要上传的文件"), "warning")
        return redirect(url_for("portal.application", app_id=app_id))
    try:
        acceptance.attach_material(quanke(), _me(), app_id, uploads=uploads)
        if state == State.CORRECTION_REQUESTED.value and request.form.get("resubmit") == "y":
            acceptance.resubmit(quanke(), _me(), app_id)
            flash(_("补正材料已提交，请等待窗口受理"), "success")
        else:
            flash(_("材料已上传"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


@bp.post("/applications/<int:app_id>/resubmit")
@citizen_required
def resubmit(app_id: int):
    with quanke().db.session() as db:
        load_app(db, app_id, _me())
    try:
        acceptance.resubmit(quanke(), _me(), app_id)
        flash(_("已重新提交"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


@bp.post("/applications/<int:app_id>/withdraw")
@citizen_required
def withdraw(app_id: int):
    with quanke().db.session() as db:
        load_app(db, app_id, _me())
    try:
        acceptance.withdraw(quanke(), _me(), app_id, reason=request.form.get("reason", ""))
        flash(_("申请已撤回"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


@bp.post("/applications/<int:app_id>/rate")
@citizen_required
def rate(app_id: int):
    form = RatingForm()
    with quanke().db.session() as db:
        load_app(db, app_id, _me())
    if not form.validate_on_submit():
        flash(_("请选择评价等级"), "error")
        return redirect(url_for("portal.application", app_id=app_id))
    try:
        with quanke().db.session() as db:
            ratings.rate(quanke(), db, _me(), app_id, level=form.level.data,
                         comment=form.comment.data or "")
        flash(_("感谢您的评价！"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))
