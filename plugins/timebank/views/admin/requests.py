"""Requests and matching on the staff side: the list, filing for a recipient, one request
with its candidates and offers, proposing, a team, follow-up and correcting a confirmation."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from core.api import LOCAL_TZ, AuditEvent, QuankeError, User, today
from plugins.timebank.domain import access, ledger, matching
from plugins.timebank.domain import requests as reqs
from plugins.timebank.domain.catalog import kinds as all_kinds
from plugins.timebank.models import Holder, Offer, ServiceRequest, Team, Volunteer
from plugins.timebank.views.admin.people import _holder_by_number
from plugins.timebank.views.admin.scope import _in_scope, _scope
from plugins.timebank.views.blueprint import (
    attempt,
    bp,
    form_int,
    form_window,
    kinds_by_category,
    me,
    quanke,
    render,
    staff_required,
)

# --------------------------------------------------------------------------- requests


@bp.get("/admin/requests")
@staff_required
def admin_requests():
    status = request.args.get("status") or ""
    community = request.args.get("community") or ""
    with quanke().db.session() as s:
        scope = _scope(s)
        stmt = _in_scope(select(ServiceRequest, Holder).join(Holder, Holder.id == ServiceRequest.recipient_id),
                         ServiceRequest.community, scope)
        if status:
            stmt = stmt.where(ServiceRequest.status == status)
        if community:
            stmt = stmt.where(ServiceRequest.community == community)
        rows = s.execute(stmt.order_by(ServiceRequest.window_start.desc()).limit(200)).all()
    return render("admin_requests.html", rows=rows, status=status, community=community)


@bp.route("/admin/requests/new", methods=["GET", "POST"])
@staff_required
def admin_request_new():
    if request.method == "POST":
        def run():
            holder_id = _holder_by_number(request.form.get("id_number", ""))
            start, end = form_window()
            return reqs.create(quanke(), me(), recipient_id=holder_id, kind=request.form.get("kind", ""),
                               window_start=start, window_end=end,
                               planned_minutes=ledger.parse_minutes(request.form.get("planned"), what="预计服务时长"),
                               place=request.form.get("place", ""), description=request.form.get("description", ""),
                               payer=request.form.get("payer", "recipient"),
                               community=request.form.get("community") or None).id
        try:
            new_id = run()
        except QuankeError as exc:
            flash(exc.message, "error")  # the form is shown again with what was typed
            loan = (exc.details or {}).get("loan_path") if isinstance(exc.details, dict) else None
            if loan:   # an eligible member short of hours: the way on, one click away
                flash(Markup('<a href="{}">办理借贷时长（服务对象账户页）</a>').format(
                    url_for(".admin_holder", holder_id=loan["holder_id"]) + "#loan"), "warning")
        else:
            flash("服务需求单已登记，已冻结预约时长。", "success")
            return redirect(url_for(".admin_request", request_id=new_id))
    with quanke().db.session() as s:
        return render("admin_request_new.html", kinds=kinds_by_category(s), form=request.form,
                      today=today().isoformat())


@bp.get("/admin/requests/<int:request_id>")
@staff_required
def admin_request(request_id: int):
    with quanke().db.session() as s:
        row = s.get(ServiceRequest, request_id)
        if row is None:
            abort(404)
        scope = _scope(s)
        if scope is not None and row.community not in scope:
            abort(404)
        recipient = s.get(Holder, row.recipient_id)
        provider = s.get(Holder, row.provider_id) if row.provider_id else None
        candidates = matching.rank(s, row) if row.status == "open" else []
        offers = s.execute(select(Offer, Volunteer).join(Volunteer, Volunteer.id == Offer.volunteer_id)
                           .where(Offer.request_id == row.id).order_by(Offer.rank)).all()
        teams = s.scalars(select(Team).where(Team.status == "active").order_by(Team.name)).all()
        history = s.scalars(select(AuditEvent).where(AuditEvent.object_type == "tb_request",
                                                           AuditEvent.object_id == str(row.id))
                            .order_by(AuditEvent.id)).all()
        staff_ids = {int(e.actor[5:]) for e in history if e.actor.startswith("user:") and e.actor[5:].isdigit()}
        names = dict(s.execute(select(User.id, User.name).where(User.id.in_(staff_ids or {-1}))).all())
        kind = next((k for k in all_kinds(s, include_inactive=True) if k.code == row.kind), None)
    return render("admin_request.html", row=row, recipient=recipient, provider=provider, candidates=candidates,
                  offers=offers, teams=teams, history=history, names=names, kind=kind, now=dt.datetime.now(LOCAL_TZ),
                  is_admin=access.is_admin(me()))


@bp.post("/admin/requests/<int:request_id>/propose")
@staff_required
def admin_propose(request_id: int):
    def run():
        ids = [int(v) for v in request.form.getlist("volunteer_ids") if v.isascii() and v.isdigit() and len(v) <= 9]
        with quanke().db.session() as s:
            ranking = matching.rank(s, s.get(ServiceRequest, request_id))
        return len(reqs.propose(quanke(), me(), request_id, ids, ranking=ranking))
    return attempt(run, "已向 {result} 名志愿者派单。", url_for(".admin_request", request_id=request_id))


@bp.post("/admin/requests/<int:request_id>/team")
@staff_required
def admin_assign_team(request_id: int):
    return attempt(lambda: reqs.assign_team(quanke(), me(), request_id, form_int("team_id", "团队")).number,
                   "已派给团队：{result}。", url_for(".admin_request", request_id=request_id))


@bp.post("/admin/requests/<int:request_id>/follow-up")
@staff_required
def admin_follow_up(request_id: int):
    return attempt(lambda: reqs.follow_up(quanke(), me(), request_id, rating=form_int("rating", "评分"),
                                          comment=request.form.get("comment", "")).rating,
                   "回访评价已登记（{result}分）。", url_for(".admin_request", request_id=request_id))


@bp.post("/admin/requests/<int:request_id>/correct")
@staff_required
def admin_correct(request_id: int):
    return attempt(lambda: reqs.correct_confirmation(quanke(), me(), request_id,
                                                     reason=request.form.get("reason", "")).number,
                   "已冲正 {result} 的确认时长，可重新确认。", url_for(".admin_request", request_id=request_id))

