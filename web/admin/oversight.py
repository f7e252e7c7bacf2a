"""What centre administrators and auditors look at: follow-ups of bad ratings (回访), appeals
of ratings (申诉复核), statistics (as charts and as CSV) and the audit log."""
from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from core.acceptance import ratings
from core.ops import stats as statistics
from core.platform import audit, inputs
from core.platform.audit import AuditEvent
from core.platform.clock import today
from core.platform.errors import InvalidInput, QuankeError
from core.platform.models import Application, Role, User

from .. import charts
from ..forms import AppealDecisionForm, FollowUpForm
from ..helpers import db_id, department_name, flash_error, page_args, quanke
from ..identity import staff_required
from .blueprint import bp

# -- follow-ups of bad ratings ---------------------------------------------------------------------

@bp.get("/follow-ups")
@staff_required(Role.CENTRE_ADMIN, Role.SYS_ADMIN)
def follow_ups():
    status = request.args.get("status", "open")
    with quanke().db.session() as db:
        items = ratings.follow_ups(db, current_user.model, status=status if status in ("open", "closed") else None)
        rows = [(f, ratings.describe(db, f.rating), ratings.rater_of(db, f.rating)) for f in items]
        return render_template("admin/follow_ups.html", rows=rows, status=status, form=FollowUpForm(),
                               today=today(), basis=ratings.FOLLOW_UP_BASIS)


@bp.post("/follow-ups/<int:item_id>/close")
@staff_required(Role.CENTRE_ADMIN, Role.SYS_ADMIN)
def follow_up_close(item_id: int):
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash(_("请填写回访整改情况"), "error")
        return redirect(url_for("admin.follow_ups"))
    try:
        with quanke().db.session() as db:
            item = ratings.close_follow_up(db, current_user.model, item_id, resolution=form.resolution.data)
            told = item.told == "sms"
        flash(_("回访事项已办结，已短信告知评价人") if told else
              _("回访事项已办结；评价人未留手机号，未能告知"), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("admin.follow_ups"))


# -- appeals of ratings (申诉复核) -------------------------------------------------------------------

@bp.get("/appeals")
@staff_required(Role.CENTRE_ADMIN)
def appeals():
    status = request.args.get("status", "pending")
    with quanke().db.session() as db:
        items = ratings.appeal_queue(db, current_user.model,
                                status=status if status in ratings.APPEAL_STATUSES else None)
        names = dict(db.execute(select(User.id, User.name).where(
            User.id.in_({a.filed_by_id for a in items} or {-1}))).all())
        rows = [(a, ratings.describe(db, a.rating), names.get(a.filed_by_id, "")) for a in items]
        return render_template("admin/appeals.html", rows=rows, status=status, form=AppealDecisionForm(),
                               basis=ratings.APPEAL_BASIS)


@bp.post("/appeals/<int:item_id>/decide")
@staff_required(Role.CENTRE_ADMIN)
def appeal_decide(item_id: int):
    form = AppealDecisionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("admin.appeals"))
    uphold = form.decision.data == "uphold"
    try:
        with quanke().db.session() as db:
            ratings.decide_appeal(db, current_user.model, item_id, uphold=uphold, reasons=form.reasons.data)
        flash(_("申诉成立，该评价不再计入满意度统计") if uphold else _("已驳回申诉"), "success")
    except QuankeError as exc:
        if exc.http_status in (403, 404):
            raise
        flash_error(exc)
    return redirect(url_for("admin.appeals"))


# -- statistics ------------------------------------------------------------------------------------

def _range() -> tuple[dt.date, dt.date]:
    end, start = today(), today() - dt.timedelta(days=29)
    try:
        end = inputs.parse_date(request.args.get("end"), field="end", default=end)
        start = inputs.parse_date(request.args.get("start"), field="start", default=end - dt.timedelta(days=29))
    except InvalidInput:
        flash(_("日期格式应为 YYYY-MM-DD"), "error")
        end, start = today(), today() - dt.timedelta(days=29)
    if start > end:
        start, end = end, start
    if (end - start).days > 366:
        start = end - dt.timedelta(days=366)
    return start, end


def _scope():
    """A centre admin sees their own centre; system admins and auditors see everything."""
    user = current_user.model
    if user.has_role(Role.SYS_ADMIN) or user.has_role(Role.AUDITOR):
        return None
    return user.centre_id or -1


def _compute():
    start, end = _range()
    names = {c: s.name for c, s in quanke().plugins.services.items()}
    with quanke().db.session() as db:
        return statistics.compute(db, start, end, centre_id=_scope(), service_names=names)


@bp.get("/stats")
@staff_required(Role.SYS_ADMIN, Role.CENTRE_ADMIN, Role.AUDITOR)
def stats():
    result = _compute()
    labels = {5: _("非常满意"), 4: _("满意"), 3: _("基本满意"), 2: _("不满意"), 1: _("非常不满意")}
    ratings_total = sum(n for _, n in result.satisfaction)
    good = sum(n for level, n in result.satisfaction if level >= 4)
    figures = {
        "service": charts.hbar(result.by_service, title=_("按事项的申请量")),
        "centre": charts.hbar(result.by_centre, title=_("按中心的申请量")),
        "day": charts.columns([(d.strftime("%m-%d"), n) for d, n in result.by_day],
                              title=_("每日申请量")),
        "durations": charts.columns(result.durations, title=_("受理到决定的用时分布"),
                                    every=1, color=charts.PALETTE[5]),
        "overdue": charts.hbar([(department_name(d), n) for d, n in result.overdue],
                               title=_("当前超期件（按部门）"), colors=[charts.PALETTE[3]]),
        "satisfaction": charts.hbar([(labels[level], n) for level, n in result.satisfaction],
                                    title=_("满意度评价"), colors=list(charts.SATISFACTION)),
    }
    from core.ops.readiness import calendar_warnings_now
    calendar_warnings = calendar_warnings_now(quanke()) if current_user.has_any(
        Role.SYS_ADMIN, Role.CENTRE_ADMIN) else []
    return render_template("admin/stats.html", s=result, figures=figures,
                           calendar_warnings=calendar_warnings,
                           good_rate=(good * 100 // ratings_total) if ratings_total else None,
                           ratings_total=ratings_total, excluded=result.satisfaction_excluded,
                           overdue_total=sum(n for _, n in result.overdue),
                           scoped=_scope() is not None)


@bp.get("/stats.csv")
@staff_required(Role.SYS_ADMIN, Role.CENTRE_ADMIN, Role.AUDITOR)
def stats_csv():
    result = _compute()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "key", "value"])
    writer.writerow(["range", result.start.isoformat(), result.end.isoformat()])
    for section, key, value in result.rows():
        if key[:1] in "=+-@":  # CSV injection: never start a cell with a formula character
            key = "'" + key
        writer.writerow([section, key, value])
    data = "\ufeff" + buffer.getvalue()  # BOM so spreadsheet programs read the Chinese right
    # content_type, not mimetype: Flask appends "; charset=utf-8" to a text/* mimetype itself
    return Response(data, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=quanke-stats-{result.start}-{result.end}.csv"})


# -- audit log (auditors) --------------------------------------------------------------------------

@bp.get("/audit")
@staff_required(Role.AUDITOR)
def audit_log():
    page, per_page = page_args(50)
    f = {k: (request.args.get(k) or "").strip()[:64] for k in ("application", "subject", "staff", "action")}
    verify_result = None
    with quanke().db.session() as db:
        stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
        if f["application"]:
            value = f["application"]
            app_id = db_id(value) if db_id(value) else db.scalar(select(Application.id).where(
                or_(Application.number == value.upper(), Application.receipt_no == value.upper())))
            stmt = stmt.where(AuditEvent.application_id == (app_id or -1))
        if f["subject"]:
            stmt = stmt.where(AuditEvent.subject_index == f["subject"].upper())
        if f["staff"]:
            user_id = db.scalar(select(User.id).where(or_(User.username == f["staff"], User.name == f["staff"])).limit(1))
            stmt = stmt.where(AuditEvent.actor == (f"user:{user_id}" if user_id else "none"))
        if f["action"]:
            stmt = stmt.where(AuditEvent.action == f["action"])
        rows = db.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
        has_more = len(rows) > per_page
        rows = rows[:per_page]
        total_events = audit.count(db)
        if request.args.get("verify") == "1" or total_events <= 20000:
            verify_result = audit.verify(db)
        from core.people import reveals
        flags = reveals.flagged(db)  # workers who viewed much personal data (查看个人信息预警)
        ids = {int(r.actor.split(":")[1]) for r in rows if r.actor.startswith("user:")}
        ids |= {int(x["actor"].split(":")[1]) for x in flags if str(x["actor"]).startswith("user:")}
        people = {uid: (name, username) for uid, name, username in db.execute(
            select(User.id, User.name, User.username).where(User.id.in_(ids or {-1})))}
        names = {uid: f"{name}（{username}）" for uid, (name, username) in people.items()}
        for x in flags:
            uid = int(x["actor"].split(":")[1]) if str(x["actor"]).startswith("user:") else None
            x["name"], x["username"] = names.get(uid, x["actor"]), people.get(uid, ("", ""))[1]
        return render_template("admin/audit.html", rows=rows, f=f, page=page, has_more=has_more,
                               verify_result=verify_result, total_events=total_events, names=names,
                               flags=flags, flag_at=int(quanke().config.get("REVEAL_FLAG_PER_DAY")
                                                        or reveals.REVEAL_FLAG_PER_DAY))
