"""Objections (Art. 49): lodged at the centre or online by the applicant (不见面), decided by
the bureau, and a correction carried out by the centre."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import QuankeError, today
from plugins.legal_aid.domain import access, objections
from plugins.legal_aid.domain.decisions import load
from plugins.legal_aid.domain.detail import case_detail
from plugins.legal_aid.views.blueprint import (
    _back,
    _form_errors,
    bp,
    fail,
    me,
    need,
    quanke,
)
from plugins.legal_aid.views.forms import (
    CitizenObjectionForm,
    CorrectionForm,
    ObjectionDecisionForm,
    ObjectionForm,
)


@bp.post("/cases/<int:app_id>/objections")
@login_required
def lodge_objection(app_id: int):
    user = me()
    form = ObjectionForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(app_id)
    try:
        obj = objections.lodge(quanke(), user, app_id, grounds=form.grounds.data, received_on=form.received_on.data)
        flash(f"已登记异议，司法行政部门应于{obj.due_on:%Y年%m月%d日}前作出决定（第四十九条）", "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)


@bp.post("/objections/<int:objection_id>/decide")
@login_required
def decide_objection(objection_id: int):
    user = need(access.is_bureau)
    form = ObjectionDecisionForm()
    app_id = request.form.get("app_id", type=int) or 0
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(app_id)
    try:
        obj = objections.decide(quanke(), user, objection_id, uphold=form.outcome.data == "uphold",
                                reasons=form.reasons.data)
        app_id = obj.application_id
        flash("已作出异议审查决定，决定书已出具", "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)


@bp.post("/objections/<int:objection_id>/correct")
@login_required
def correct(objection_id: int):
    user = need(access.is_centre)
    form = CorrectionForm()
    app_id = request.form.get("app_id", type=int) or 0
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(app_id)
    try:
        obj = objections.carry_out(quanke(), user, objection_id, note=form.note.data or "")
        app_id = obj.application_id
        flash("已执行改正决定", "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)


# -- the applicant: an objection online (不见面) -------------------------------------------------


@bp.route("/my/<int:app_id>/objection", methods=["GET", "POST"])
@login_required
def my_objection(app_id: int):
    """The applicant objects to a refusal or termination without coming in (Art. 49)."""
    if not getattr(current_user, "is_citizen", False):
        abort(403)
    citizen = current_user.model
    form = CitizenObjectionForm()
    with quanke().db.session() as session:
        app = load(session, app_id)
        if app.citizen_id != citizen.id:
            abort(404)
    if form.validate_on_submit():
        try:
            obj = objections.lodge(quanke(), citizen, app_id, grounds=form.grounds.data, received_on=today())
            flash(f"异议已提交，区司法局将于{obj.due_on:%Y年%m月%d日}前作出决定（《中华人民共和国法律援助法》第四十九条）",
                  "success")
            return redirect(url_for("legal_aid.my_objection", app_id=app_id))
        except QuankeError as exc:
            fail(exc)
    elif request.method == "POST":
        _form_errors(form)
    with quanke().db.session() as session:
        info = case_detail(quanke(), session, load(session, app_id))
    return render_template("legal_aid/my_objection.html", c=info, form=form)
