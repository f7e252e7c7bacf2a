"""Ratings at the counter: the second screen for a served queue number (取号评价) and for an
answered enquiry (咨询评价), and the worker's own ratings with the appeal of a mistaken one (申诉复核)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.acceptance import ratings
from core.acceptance.tickets import QueueTicket
from core.platform.errors import QuankeError
from core.platform.models import Enquiry, Role

from ..forms import RatingForm
from ..helpers import flash_error, quanke
from ..identity import staff_required
from .blueprint import bp


@bp.route("/counter/tickets/<int:ticket_id>/rate", methods=["GET", "POST"])
@staff_required(Role.COUNTER)
def rate_ticket(ticket_id: int):
    who = current_user.model
    form = RatingForm()
    with quanke().db.session() as db:
        ticket = db.get(QueueTicket, ticket_id)
        if ticket is None or ticket.centre_id != who.centre_id:
            abort(404)  # another centre's number, as if it did not exist
        number, service_code, served = ticket.number, ticket.service_code, ticket.status == "done"
        done = bool(ratings.ratings_for_tickets(db, [ticket_id]))
    if not done and form.validate_on_submit():
        done = _rate(who, form, "ticket", ticket_id)
    return render_template("counter/rate.html", form=form, done=done, number=number,
                           service_code=service_code, not_ready=not served and not done)


@bp.route("/counter/enquiries/<int:item_id>/rate", methods=["GET", "POST"])
@staff_required(Role.COUNTER)
def rate_enquiry(item_id: int):
    """The second screen for an enquiry answered at this centre; the rating names whoever
    answered it (core.acceptance.ratings.subjects.EnquirySubject)."""
    from sqlalchemy import select

    from core.acceptance.ratings import Rating
    who = current_user.model
    form = RatingForm()
    with quanke().db.session() as db:
        enquiry = db.get(Enquiry, item_id)
        if enquiry is None or enquiry.centre_id != who.centre_id:
            abort(404)  # another centre's enquiry, as if it did not exist
        label = _("咨询：%(q)s", q=enquiry.question[:20])
        service_code, answered = enquiry.service_code or "", enquiry.state == "answered"
        done = db.scalar(select(Rating.id).where(Rating.enquiry_id == item_id)) is not None
    if not done and answered and form.validate_on_submit():
        done = _rate(who, form, "enquiry", item_id)
    return render_template("counter/rate.html", form=form, done=done, number=label,
                           service_code=service_code, not_ready=not answered and not done,
                           not_ready_text=_("咨询答复后才能评价"))


@bp.get("/counter/ratings")
@staff_required(Role.COUNTER)
def my_ratings():
    with quanke().db.session() as db:
        rows = [(r, ratings.describe(db, r)) for r in ratings.ratings_of_staff(db, current_user.model)]
        return render_template("counter/my_ratings.html", rows=rows, basis=ratings.APPEAL_BASIS,
                               appealable_below=ratings.APPEALABLE_BELOW)


@bp.post("/counter/ratings/<int:item_id>/appeal")
@staff_required(Role.COUNTER)
def appeal_rating(item_id: int):
    try:
        with quanke().db.session() as db:
            ratings.file_appeal(db, current_user.model, item_id, reasons=request.form.get("reasons", ""))
        flash(_("申诉已提交，由中心管理员复核"), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("counter.my_ratings"))


def _rate(who, form, kind: str, subject_id: int) -> bool:
    """Record the rating given on the second screen; a rule it breaks is shown on the page."""
    try:
        with quanke().db.session() as db:
            ratings.rate_subject(quanke(), db, who, kind=kind, subject_id=subject_id,
                                 level=form.level.data, comment=form.comment.data or "")
        return True
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
        return False
