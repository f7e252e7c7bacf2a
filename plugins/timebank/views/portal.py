"""The portal view for volunteers and recipients (``/timebank/me``): the account page,
filing a request, a family transfer, availability and the statement."""
from __future__ import annotations

import datetime as dt

from flask import request, url_for
from sqlalchemy import or_, select

from core.api import LOCAL_TZ, InvalidInput, today
from plugins.timebank.domain import access, availability, catalog, ledger, withdrawals
from plugins.timebank.domain import requests as reqs
from plugins.timebank.models import (
    Holder,
    Offer,
    Relation,
    ServiceRequest,
    StarAward,
    Volunteer,
)
from plugins.timebank.views.blueprint import (
    _statement,
    attempt,
    bp,
    citizen_required,
    form_int,
    form_window,
    kinds_by_category,
    me,
    quanke,
    recent_movements,
    render,
)


@bp.get("/me")
@citizen_required
def my_account():
    q = quanke()
    with q.db.session() as s:
        holder = access.holder_of(s, me())
        if holder is None:
            return render("me.html", holder=None)
        volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == holder.id))
        relatives = s.execute(select(Relation, Holder).join(Holder, Holder.id == Relation.relative_id)
                              .where(Relation.holder_id == holder.id)).all()
        relative_ids = [h.id for _, h in relatives]
        family_requests = s.scalars(select(ServiceRequest).where(
            ServiceRequest.recipient_id.in_(relative_ids), ServiceRequest.status.in_(("open", "assigned")))
            .order_by(ServiceRequest.window_start)).all() if relative_ids else []
        mine = s.scalars(select(ServiceRequest).where(ServiceRequest.recipient_id == holder.id)
                         .order_by(ServiceRequest.window_start.desc()).limit(30)).all()
        offers = serving = []
        if volunteer is not None:
            offers = s.execute(select(Offer, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Offer.request_id)
                               .where(Offer.volunteer_id == volunteer.id, Offer.status == "offered",
                                      ServiceRequest.status == "open")).all()
            serving = s.scalars(select(ServiceRequest).where(or_(ServiceRequest.provider_id == holder.id,
                                                                 ServiceRequest.volunteer_id == volunteer.id))
                                .order_by(ServiceRequest.window_start.desc()).limit(30)).all()
        from plugins.timebank.domain.deposits import served_minutes
        return render("me.html", holder=holder, volunteer=volunteer, balances=ledger.balances(s, holder.id),
                      moves=recent_movements(s, holder.id), relatives=relatives, family_requests=family_requests,
                      mine=mine, offers=offers, serving=serving, served=served_minutes(s, holder.id),
                      held=sum(r.held_minutes for r in mine if r.payer == "recipient"),
                      awards=s.scalars(select(StarAward).where(StarAward.volunteer_id == (volunteer.id if volunteer else -1))
                                       .order_by(StarAward.year.desc())).all(),
                      kinds=kinds_by_category(s), slots=availability.ALL_SLOTS, slot_label=availability.slot_label,
                      kind_names={k.code: k.name for k in catalog.kinds(s, include_inactive=True)},
                      now=dt.datetime.now(LOCAL_TZ), today=today())


@bp.post("/me/request")
@citizen_required
def my_new_request():
    def run():
        with quanke().db.session() as s:
            holder = access.holder_of(s, me())
            if holder is None:
                raise InvalidInput("您还没有时间银行账户", code="holder_not_found")
            holder_id = holder.id
        recipient = form_int("recipient_id", "服务对象", required=False) or holder_id
        start, end = form_window()
        return reqs.create(quanke(), me(), recipient_id=recipient, kind=request.form.get("kind", ""),
                           window_start=start, window_end=end,
                           planned_minutes=ledger.parse_minutes(request.form.get("planned"), what="预计服务时长"),
                           place=request.form.get("place", ""), description=request.form.get("description", "")).number
    return attempt(run, "服务需求 {result} 已提交，社区将为您匹配志愿者。", url_for(".my_account"))


@bp.post("/me/transfer")
@citizen_required
def my_transfer():
    def run():
        with quanke().db.session() as s:
            holder = access.holder_of(s, me())
        return withdrawals.transfer_to_relative(quanke(), me(), holder_id=holder.id if holder else -1,
                                                relative_id=form_int("relative_id", "受赠亲属"),
                                                minutes=request.form.get("minutes"))
    return attempt(run, "转赠成功。", url_for(".my_account"))


@bp.post("/me/availability")
@citizen_required
def my_availability():
    def run():
        with quanke().db.session() as s:
            holder = access.holder_of(s, me())
            volunteer = s.scalar(select(Volunteer).where(Volunteer.holder_id == (holder.id if holder else -1)))
        if volunteer is None:
            raise InvalidInput("您还不是认证志愿者", code="volunteer_not_found")
        from plugins.timebank.domain.volunteers import update_profile
        return update_profile(quanke(), me(), volunteer.id, slots=request.form.getlist("slots"),
                              skills=request.form.get("skills"))
    return attempt(run, "可服务时间已更新。", url_for(".my_account"))


@bp.post("/me/statement")
@citizen_required
def my_statement():
    with quanke().db.session() as s:
        holder = access.holder_of(s, me())
    return _statement(holder.id if holder else -1, url_for(".my_account"))
