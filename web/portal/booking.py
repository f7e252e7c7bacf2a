"""Appointments (预约): booking a slot at a centre, the citizen's bookings, cancelling one, and
rating the service once the appointment's number was served (取号评价)."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.acceptance import ratings, tickets
from core.platform.clock import today
from core.platform.errors import QuankeError
from core.platform.models import Centre

from ..forms import AppointmentForm, RatingForm
from ..helpers import flash_error, quanke
from ..identity import citizen_required
from .blueprint import _me, bp


@bp.route("/appointments", methods=["GET", "POST"])
@citizen_required
def appointments():
    q = quanke()
    me = _me()
    form = AppointmentForm()
    with q.db.session() as db:
        centres = db.scalars(select(Centre).order_by(Centre.code)).all()
        form.centre.choices = [(c.code, c.name) for c in centres]
    form.slot.choices = [(s, s) for s in tickets.SLOTS]
    form.service_code.choices = [("", _("综合业务"))] + [(s.code, s.name) for s in
                                                      sorted(q.plugins.services.values(), key=lambda s: s.name)]
    if request.method == "GET":
        form.day.data = _next_workday(today())
    if form.validate_on_submit():
        try:
            with q.db.session() as db:
                booked = tickets.book(db, me, centre_code=form.centre.data, day=form.day.data,
                                      slot=form.slot.data, service_code=form.service_code.data or "")
                text = _("已预约 %(day)s %(slot)s", day=booked.day.isoformat(), slot=booked.slot)
            flash(text, "success")
            return redirect(url_for("portal.appointments"))
        except QuankeError as exc:
            flash_error(exc)
    with q.db.session() as db:
        from core.acceptance.tickets import Appointment
        mine = db.scalars(select(Appointment).where(Appointment.citizen_id == me.id)
                          .options(joinedload(Appointment.centre))
                          .order_by(Appointment.day.desc(), Appointment.slot).limit(50)).all()
        availability = None
        if form.centre.data and form.day.data:
            centre = next((c for c in centres if c.code == form.centre.data), None)
            if centre:
                availability = tickets.slots_for(db, centre.id, form.day.data)
        served = {t.appointment_id: t for t in db.scalars(select(tickets.QueueTicket).where(
            tickets.QueueTicket.appointment_id.in_([a.id for a in mine] or [-1])))}
        rated = ratings.ratings_for_tickets(db, [t.id for t in served.values()])
        return render_template("portal/appointments.html", form=form, mine=mine,
                               availability=availability, today=today(), served=served,
                               rated=rated, rating_form=RatingForm())


@bp.post("/appointments/<int:appointment_id>/cancel")
@citizen_required
def cancel_appointment(appointment_id: int):
    try:
        with quanke().db.session() as db:
            tickets.cancel(db, _me(), appointment_id)
        flash(_("预约已取消"), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("portal.appointments"))


@bp.post("/tickets/<int:ticket_id>/rate")
@citizen_required
def rate_ticket(ticket_id: int):
    form = RatingForm()
    if not form.validate_on_submit():
        flash(_("请选择评价等级"), "error")
        return redirect(url_for("portal.appointments"))
    try:
        with quanke().db.session() as db:
            ratings.rate_subject(quanke(), db, _me(), kind="ticket", subject_id=ticket_id,
                                 level=form.level.data, comment=form.comment.data or "")
        flash(_("感谢您的评价！"), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("portal.appointments"))


def _next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day
