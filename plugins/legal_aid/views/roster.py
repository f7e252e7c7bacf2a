"""The lawyer roster: the list with caseloads, adding a lawyer, conflicts of interest and
taking a lawyer off (or back on) the roster."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required

from core.api import QuankeError
from plugins.legal_aid.domain import access, roster
from plugins.legal_aid.models import Lawyer
from plugins.legal_aid.views.blueprint import _form_errors, bp, fail, need, quanke
from plugins.legal_aid.views.forms import ActiveForm, ConflictForm, LawyerForm


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
