"""Cases: the list, one case with its actions, and the centre's decisions on it (decide,
urgent aid, assign or reassign a lawyer, terminate)."""
from __future__ import annotations

from flask import flash, render_template, request
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from core.api import QuankeError, today
from plugins.legal_aid.domain import access, decisions, queries, termination
from plugins.legal_aid.domain.decisions import load
from plugins.legal_aid.domain.detail import case_detail
from plugins.legal_aid.domain.law import CATEGORIES
from plugins.legal_aid.domain.status import LABELS
from plugins.legal_aid.views.blueprint import (
    _back,
    _form_errors,
    bp,
    fail,
    need,
    quanke,
)
from plugins.legal_aid.views.forms import (
    AssignForm,
    CorrectionForm,
    DecideForm,
    ObjectionDecisionForm,
    ObjectionForm,
    TerminateForm,
    UrgentForm,
)


@bp.get("/cases")
@login_required
def cases():
    need(access.may_read)
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    q = request.args.get("q", "")[:50]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    if status and status not in LABELS:
        status = ""
    with quanke().db.session() as session:
        rows, total = queries.case_list(quanke(), session, status=status,
                                        category=category if category in CATEGORIES else "", q=q, page=page)
        waiting = queries.waiting_for_lawyer(quanke(), session)
    return render_template("legal_aid/cases.html", rows=rows, total=total, page=page, per_page=20,
                           status=status, category=category, q=q, labels=LABELS,
                           categories=CATEGORIES, waiting=waiting, today=today())


@bp.get("/cases/<int:app_id>")
@login_required
def case(app_id: int):
    user = need(access.may_read)
    with quanke().db.session() as session:
        app = load(session, app_id)
        info = case_detail(quanke(), session, app)
    assign_form = AssignForm()
    assign_form.lawyer_id.choices = [SelectChoice("", "自动选择")] + [
        SelectChoice(str(c["id"]), f"{c['name']}（{c['firm']}）") for c in info["candidates"]]
    return render_template(
        "legal_aid/case.html", c=info, user=user, is_centre=access.is_centre(user),
        is_bureau=access.is_bureau(user), decide_form=DecideForm(), urgent_form=UrgentForm(),
        assign_form=assign_form, terminate_form=TerminateForm(), objection_form=ObjectionForm(),
        objection_decision_form=ObjectionDecisionForm(), correction_form=CorrectionForm())


@bp.post("/cases/<int:app_id>/decide")
@login_required
def decide(app_id: int):
    user = need(access.is_centre)
    form = DecideForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(app_id)
    try:
        decisions.decide(quanke(), user, app_id, grant=form.grant.data == "yes", reasons=form.reasons.data or "")
        flash("已作出决定，决定书已出具" if form.grant.data == "yes" else "已作出不予法律援助的决定，决定书已出具",
              "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)


@bp.post("/cases/<int:app_id>/urgent")
@login_required
def urgent(app_id: int):
    user = need(access.is_centre)
    form = UrgentForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(app_id)
    try:
        decisions.give_urgent_aid(quanke(), user, app_id, reason=form.reason.data,
                                  deadline_on=form.deadline_on.data, note=form.note.data or "")
        flash("已决定先行提供法律援助并指派律师（第四十四条）", "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)


@bp.post("/cases/<int:app_id>/assign")
@login_required
def assign(app_id: int):
    user = need(access.is_centre)
    form = AssignForm()
    raw = request.form.get("lawyer_id", "")
    lawyer_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(app_id)
    try:
        if (form.reason.data or "").strip():
            decisions.reassign(quanke(), user, app_id, reason=form.reason.data, lawyer_id=lawyer_id)
            flash("已改派律师", "success")
        else:
            decisions.assign_now(quanke(), user, app_id, lawyer_id=lawyer_id)
            flash("已指派律师", "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)


@bp.post("/cases/<int:app_id>/terminate")
@login_required
def terminate(app_id: int):
    user = need(access.is_centre)
    form = TerminateForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(app_id)
    try:
        termination.terminate(quanke(), user, app_id, reason=form.reason.data, facts=form.facts.data,
                              found_on=form.found_on.data, basis=form.basis.data or "")
        flash("已作出终止法律援助的决定，决定书已出具（第四十八条）", "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)
