"""The legal-aid centre's pages: cases, one case with its actions, statistics, roster, standards.

Every page needs a signed-in staff member with a legal-aid role (see :mod:`.access`); every
form carries a CSRF token (Flask-WTF); actions call the plugin's service functions, which
check roles again, validate and audit. Errors come back as a flashed Chinese message and
nothing is changed.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.api import QuankeError, today

from plugins.legal_aid.domain import access, decisions, objections, queries, roster, standards, termination
from plugins.legal_aid.domain.decisions import load
from plugins.legal_aid.domain.detail import case_detail
from plugins.legal_aid.domain.law import CATEGORIES, TERMINATION_REASONS, URGENT_REASONS
from plugins.legal_aid.models import Lawyer
from plugins.legal_aid.domain.status import LABELS

bp = Blueprint("legal_aid", __name__, url_prefix="/legal-aid")


def quanke():
    return current_app.extensions["quanke"]


def me():
    model = getattr(current_user, "model", None)
    if model is None or not getattr(current_user, "is_staff", False):
        abort(403)
    return model


def need(check) -> object:
    user = me()
    if not check(user):
        abort(403)
    return user


def fail(exc: QuankeError) -> None:
    flash(exc.message, "error")


# -- forms ------------------------------------------------------------------------------------

class DecideForm(FlaskForm):
    grant = RadioField("决定", choices=[SelectChoice("yes", "给予法律援助"), SelectChoice("no", "不予法律援助")],
                       validators=[InputRequired("请选择决定")])
    reasons = TextAreaField("理由（不予法律援助时必填，将写入决定书）", validators=[Optional(), Length(max=4000)])


class UrgentForm(FlaskForm):
    reason = SelectField("紧急情形", choices=[SelectChoice(k, v) for k, v in URGENT_REASONS.items()])
    deadline_on = DateField("时效或期限届满日", validators=[Optional()])
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    # Any id is accepted here; the service checks it against the roster and conflicts.
    lawyer_id = SelectField("律师（留空则按在办案件数自动选择）", choices=[], validate_choice=False,
                            validators=[Optional()])
    reason = TextAreaField("改派理由（改派时必填）", validators=[Optional(), Length(max=1000)])


class TerminateForm(FlaskForm):
    reason = SelectField("终止理由（第四十八条）", choices=[SelectChoice(k, v) for k, v in TERMINATION_REASONS.items()])
    facts = TextAreaField("查明的事实", validators=[DataRequired("请写明查明的事实"), Length(max=4000)])
    found_on = DateField("发现日期", default=today, validators=[DataRequired("请填写发现日期")])


class ObjectionForm(FlaskForm):
    grounds = TextAreaField("异议理由", validators=[DataRequired("请填写异议理由"), Length(max=4000)])
    received_on = DateField("收到异议日期", default=today, validators=[DataRequired("请填写收到日期")])


class ObjectionDecisionForm(FlaskForm):
    outcome = RadioField("审查决定", choices=[SelectChoice("uphold", "维持原决定"), SelectChoice("correct", "责令改正")],
                         validators=[InputRequired("请选择审查决定")])
    reasons = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=4000)])


class CorrectionForm(FlaskForm):
    note = TextAreaField("改正说明", validators=[Optional(), Length(max=2000)])


class LawyerForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    licence_no = StringField("执业证号（17位）", validators=[DataRequired("请填写执业证号"), Length(max=17)])
    firm = StringField("律师事务所", validators=[DataRequired("请填写律师事务所"), Length(max=128)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    max_active = IntegerField("同时承办上限", default=10, validators=[InputRequired(), NumberRange(1, 100)])


class ConflictForm(FlaskForm):
    party_name = StringField("利益冲突当事人", validators=[DataRequired("请填写当事人"), Length(max=128)])
    note = StringField("说明", validators=[Optional(), Length(max=200)])


class ActiveForm(FlaskForm):
    active = BooleanField("在册")
    reason = StringField("原因", validators=[DataRequired("请填写原因"), Length(max=500)])


class StandardsForm(FlaskForm):
    file = FileField("经济困难标准文件（CSV）")


def _form_errors(form) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


# -- cases ------------------------------------------------------------------------------------

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


def _back(app_id: int):
    return redirect(url_for("legal_aid.case", app_id=app_id))


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
                              found_on=form.found_on.data)
        flash("已作出终止法律援助的决定，决定书已出具（第四十八条）", "success")
    except QuankeError as exc:
        fail(exc)
    return _back(app_id)


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

class CitizenObjectionForm(FlaskForm):
    grounds = TextAreaField("异议理由", validators=[DataRequired("请填写异议理由"), Length(max=4000)])


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


# -- statistics -------------------------------------------------------------------------------

def _day(name: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


@bp.get("/stats")
@login_required
def stats():
    need(access.may_read)
    end = _day("end", today())
    start = _day("start", end - dt.timedelta(days=89))
    if start > end:
        flash("开始日期不能晚于结束日期", "error")
        start = end
    with quanke().db.session() as session:
        result = queries.compute(quanke(), session, start, end)
    return render_template("legal_aid/stats.html", s=result)


# -- roster -----------------------------------------------------------------------------------

@bp.get("/lawyers")
@login_required
def lawyers():
    user = need(lambda u: access.is_centre(u) or access.may_keep_roster(u))
    with quanke().db.session() as session:
        rows = list(session.query(Lawyer).order_by(Lawyer.id))
        loads = roster.caseloads(session)
        listing = [{"lawyer": lw, "conflicts": list(lw.conflicts), "load": loads.get(lw.id, (0, 0))}
                   for lw in rows]
    return render_template("legal_aid/lawyers.html", listing=listing, form=LawyerForm(),
                           conflict_form=ConflictForm(), active_form=ActiveForm(),
                           may_edit=access.may_keep_roster(user))


def _roster_action(fn, message: str):
    from core.api import actor_key
    user = need(access.may_keep_roster)
    try:
        with quanke().db.session() as session:
            fn(session, actor_key(user))
        flash(message, "success")
    except QuankeError as exc:
        fail(exc)
    return redirect(url_for("legal_aid.lawyers"))


@bp.post("/lawyers")
@login_required
def add_lawyer():
    need(access.may_keep_roster)
    form = LawyerForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("legal_aid.lawyers"))
    return _roster_action(lambda s, who: roster.add_lawyer(
        s, actor=who, name=form.name.data, licence_no=form.licence_no.data.strip(), firm=form.firm.data,
        phone=form.phone.data or "", max_active=form.max_active.data), "已加入律师名册")


@bp.post("/lawyers/<int:lawyer_id>/conflicts")
@login_required
def add_conflict(lawyer_id: int):
    need(access.may_keep_roster)
    form = ConflictForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("legal_aid.lawyers"))
    return _roster_action(lambda s, who: roster.add_conflict(
        s, lawyer_id, party_name=form.party_name.data, note=form.note.data or "", actor=who), "已登记利益冲突")


@bp.post("/lawyers/<int:lawyer_id>/active")
@login_required
def set_active(lawyer_id: int):
    need(access.may_keep_roster)
    form = ActiveForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("legal_aid.lawyers"))
    return _roster_action(lambda s, who: roster.set_active(
        s, lawyer_id, active=form.active.data, actor=who, reason=form.reason.data), "已更新律师状态")


# -- standards --------------------------------------------------------------------------------

@bp.route("/standards", methods=["GET", "POST"])
@login_required
def standards_page():
    from core.api import actor_key
    user = need(lambda u: access.may_read(u) or access.may_keep_roster(u))
    form = StandardsForm()
    line_errors = []
    if request.method == "POST":
        need(access.may_keep_roster)
        upload = request.files.get("file")
        if not form.validate_on_submit() or upload is None or not upload.filename:
            flash("请选择经济困难标准文件（CSV）", "error")
        else:
            raw = upload.read(1_000_001)
            if len(raw) > 1_000_000:
                flash("文件过大（最多1MB）", "error")
            else:
                try:
                    with quanke().db.session() as session:
                        report = standards.load_bytes(session, raw, filename=upload.filename[:64],
                                                      actor=actor_key(user))
                    flash(f"经济困难标准已导入：{report}", "success")
                    return redirect(url_for("legal_aid.standards_page"))
                except QuankeError as exc:
                    fail(exc)
                    line_errors = (exc.details or {}).get("lines") or []
    with quanke().db.session() as session:
        rows = standards.all_standards(session)
    return render_template("legal_aid/standards.html", rows=rows, form=form, line_errors=line_errors,
                           may_edit=access.may_keep_roster(user))
