"""Monthly reports for the street (CSV and chart) and the star rating with its certificates."""
from __future__ import annotations

from flask import Response, abort, request, url_for
from sqlalchemy import select

from core.api import today
from plugins.timebank.domain import access, reports, stars
from plugins.timebank.domain.settings import settings
from plugins.timebank.models import Holder, MonthlyReport, StarAward, Volunteer
from plugins.timebank.views.blueprint import (
    attempt,
    bp,
    form_date,
    me,
    quanke,
    render,
    staff_required,
)


@bp.route("/admin/reports", methods=["GET", "POST"])
@staff_required
def admin_reports():
    if request.method == "POST":
        return attempt(lambda: reports.generate(quanke(), month=request.form.get("month") or None,
                                                actor=access.actor_key(me()), replace=True).month,
                       "{result} 月报已生成。", url_for(".admin_reports"))
    with quanke().db.session() as s:
        rows = s.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc()).limit(36)).all()
        latest = rows[0] if rows else None
    return render("admin_reports.html", rows=rows, latest=latest,
                  default_month=reports.previous_month(today()))


@bp.get("/admin/reports/<month>.<fmt_>")
@staff_required
def admin_report_file(month: str, fmt_: str):
    with quanke().db.session() as s:
        row = s.scalar(select(MonthlyReport).where(MonthlyReport.month == month))
    if row is None or fmt_ not in ("csv", "svg"):
        abort(404)
    if fmt_ == "csv":
        return Response(row.csv, content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=timebank-{month}.csv"})
    return Response(row.svg, mimetype="image/svg+xml")


@bp.route("/admin/stars", methods=["GET", "POST"])
@staff_required
def admin_stars():
    if request.method == "POST":
        if not access.is_admin(me()):
            abort(403)
        return attempt(lambda: stars.award(quanke(), day=form_date("day", "评定日期")), "新评定星级志愿者 {result} 名。",
                       url_for(".admin_stars"))
    with quanke().db.session() as s:
        rows = s.execute(select(StarAward, Volunteer, Holder).join(Volunteer, Volunteer.id == StarAward.volunteer_id)
                         .join(Holder, Holder.id == Volunteer.holder_id)
                         .order_by(StarAward.year.desc(), StarAward.stars.desc()).limit(300)).all()
    return render("admin_stars.html", rows=rows, stars_text=stars.stars_text, today=today().isoformat())


@bp.get("/admin/stars/<int:award_id>.pdf")
@staff_required
def admin_star_pdf(award_id: int):
    import io

    from flask import send_file

    from core.api import mask_id
    from plugins.timebank.documents import star_certificate
    rules = settings(quanke())
    with quanke().db.session() as s:
        award = s.get(StarAward, award_id)
        if award is None:
            abort(404)
        volunteer = s.get(Volunteer, award.volunteer_id)
        holder = s.get(Holder, volunteer.holder_id)
    pdf = star_certificate(quanke(), name=holder.name, id_masked=mask_id(holder.subject), volunteer_no=volunteer.number,
                           community=rules.community_name(volunteer.community), minutes=award.cumulative_minutes,
                           stars=award.stars, awarded_on=award.awarded_on, code=award.verification_code)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"星级证书-{volunteer.number}.pdf")

