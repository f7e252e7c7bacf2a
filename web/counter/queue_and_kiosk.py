"""Queue numbers at the counter (叫号, appointments checked in) and, in public, the kiosk at
the door (取号) with its board."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core.acceptance import ratings, tickets
from core.platform.clock import today
from core.platform.errors import InvalidInput, QuankeError
from core.platform.models import Centre, Role

from ..helpers import flash_error, quanke
from ..identity import staff_required
from .blueprint import bp


@bp.get("/counter/queue")
@staff_required(Role.COUNTER)
def queue():
    user = current_user.model
    if not user.centre_id:
        abort(403)
    with quanke().db.session() as db:
        return render_template("counter/queue.html", current=tickets.current_for(db, user),
                               waiting=tickets.waiting(db, user.centre_id),
                               appointments=tickets.appointments_for_centre(db, user.centre_id),
                               to_rate=ratings.tickets_to_rate(db, user),
                               centre=db.get(Centre, user.centre_id))


@bp.post("/counter/queue/call")
@staff_required(Role.COUNTER)
def call_next():
    try:
        with quanke().db.session() as db:
            ticket = tickets.call_next(db, current_user.model, window=request.form.get("window", ""))
            number = ticket.number if ticket else None
        if number:
            flash(_("请 %(number)s 号到窗口办理", number=number), "success")
        else:
            flash(_("目前没有等候的号码"), "warning")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(request.form.get("back") == "home" and url_for("counter.home") or url_for("counter.queue"))


@bp.post("/counter/queue/<int:ticket_id>/finish")
@staff_required(Role.COUNTER)
def finish_ticket(ticket_id: int):
    try:
        with quanke().db.session() as db:
            tickets.finish(db, current_user.model, ticket_id, no_show=request.form.get("no_show") == "1")
        flash(_("已结束该号码"), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("counter.queue"))


@bp.post("/counter/appointments/<int:appointment_id>/check-in")
@staff_required(Role.COUNTER)
def check_in(appointment_id: int):
    try:
        with quanke().db.session() as db:
            ticket = tickets.check_in(db, current_user.model, appointment_id)
            number = ticket.number
        flash(_("预约已签到，号码 %(number)s（优先叫号）", number=number), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("counter.queue"))


# -- the kiosk at the door (public) ----------------------------------------------------------------

@bp.route("/queue/<centre_code>", methods=["GET", "POST"])
def kiosk(centre_code: str):
    q = quanke()
    taken = None
    with q.db.session() as db:
        centre = tickets.centre_by_code(db, centre_code)
        if request.method == "POST":
            service_code = request.form.get("service_code", "")
            if service_code and service_code not in q.plugins.services:
                raise InvalidInput(_("未知的办理事项"), code="unknown_service")
            ticket = tickets.take_ticket(db, centre, service_code=service_code)
            taken = {"number": ticket.number, "ahead": len(tickets.waiting(db, centre.id)) - 1}
        waiting = tickets.waiting(db, centre.id)
        services = sorted((q.plugins.services[s.service_code] for s in centre.services
                           if s.service_code in q.plugins.services), key=lambda s: s.name)
        return render_template("kiosk/take.html", centre=centre, taken=taken, waiting=waiting,
                               services=services)


@bp.get("/queue/<centre_code>/board")
def board(centre_code: str):
    with quanke().db.session() as db:
        centre = tickets.centre_by_code(db, centre_code)
        from core.acceptance.tickets import QueueTicket
        called = db.scalars(select(QueueTicket).where(QueueTicket.centre_id == centre.id,
                                                      QueueTicket.day == today(),
                                                      QueueTicket.status == "called")
                            .order_by(QueueTicket.called_at.desc()).limit(6)).all()
        return render_template("kiosk/board.html", centre=centre, called=called,
                               waiting=tickets.waiting(db, centre.id))

