"""管理 — users, roles and centre authorisations; statistics; follow-ups; the audit log."""
from __future__ import annotations

import csv
import datetime as dt
import io

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from core.platform import audit, inputs
from core.acceptance import ratings
from core.people import staff_admin, tokens
from core.ops import stats as statistics
from core.platform.audit import AuditEvent
from core.platform.clock import today
from core.platform.errors import InvalidInput, QuankeError
from core.platform.models import Application, Centre, DEPARTMENT_ROLES, Role, User
from core.people.users import create_user

from . import charts
from .forms import FollowUpForm, TokenForm, UserForm
from .helpers import ROLE_NAMES, db_id, department_name, flash_error, page_args, quanke
from .identity import staff_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _role_choices() -> list[tuple[str, str]]:
    out = []
    for role in Role:
        if role in DEPARTMENT_ROLES:
            for dept in sorted(quanke().plugins.departments):
                out.append((f"{role.value}:{dept}", f"{ROLE_NAMES[role.value]}（{department_name(dept)}）"))
        else:
            out.append((role.value, str(ROLE_NAMES[role.value])))
    return out


def _centre_choices(db) -> list[tuple[str, str]]:
    return [("", _("（无）"))] + [(c.code, c.name) for c in db.scalars(select(Centre).order_by(Centre.code))]


def _grants(user: User) -> list[str]:
    return [f"{g.role}:{g.department_code}" if g.department_code else g.role for g in user.grants]


# -- users --------------------------------------------------------------------------------------

@bp.get("/users")
@staff_required(Role.SYS_ADMIN)
def users():
    page, per_page = page_args(50)
    query = (request.args.get("q") or "").strip()[:64]
    with quanke().db.session() as db:
        stmt = select(User).options(selectinload(User.grants), selectinload(User.centre)).order_by(User.username)
        if query:
            stmt = stmt.where(or_(User.username.contains(query), User.name.contains(query)))
        total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = db.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
        return render_template("admin/users.html", rows=rows, total=total, page=page,
                               per_page=per_page, query=query)


@bp.route("/users/new", methods=["GET", "POST"])
@staff_required(Role.SYS_ADMIN)
def user_new():
    form = UserForm()
    with quanke().db.session() as db:
        form.centre.choices = _centre_choices(db)
    form.roles.choices = _role_choices()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [_("新用户须设置初始密码")]
        else:
            try:
                with quanke().db.session() as db:
                    user = create_user(db, username=form.username.data, name=form.name.data,
                                       password=form.password.data, roles=form.roles.data,
                                       centre_code=form.centre.data or None,
                                       actor=f"user:{current_user.id}", phone=form.phone.data or "")
                    user_id = user.id
                flash(_("用户已创建"), "success")
                return redirect(url_for("admin.user_edit", user_id=user_id))
            except QuankeError as exc:
                flash_error(exc)
    return render_template("admin/user_form.html", form=form, user=None, tokens=[], new_token=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@staff_required(Role.SYS_ADMIN)
def user_edit(user_id: int):
    with quanke().db.session() as db:
        user = db.get(User, user_id, options=[selectinload(User.grants)])
        if user is None:
            abort(404)
        form = UserForm(obj=None) if request.method == "POST" else UserForm(
            username=user.username, name=user.name, centre=user.centre.code if user.centre else "",
            roles=_grants(user), phone=user.phone, active=user.active)
        form.centre.choices = _centre_choices(db)
        username = user.username
    form.roles.choices = _role_choices()
    form.username.data = username
    if form.validate_on_submit():
        try:
            with quanke().db.session() as db:
                staff_admin.update_user(db, current_user.model, user_id, name=form.name.data,
                                        centre_code=form.centre.data or None, roles=form.roles.data,
                                        active=form.active.data, phone=form.phone.data or "")
                if form.password.data:
                    staff_admin.set_password(db, current_user.model, user_id, form.password.data)
            flash(_("已保存"), "success")
            return redirect(url_for("admin.user_edit", user_id=user_id))
        except QuankeError as exc:
            flash_error(exc)
    with quanke().db.session() as db:
        user = db.get(User, user_id, options=[selectinload(User.grants)])
        return render_template("admin/user_form.html", form=form, user=user,
                               tokens=tokens.tokens_of(db, user_id), token_form=TokenForm(),
                               new_token=None)


@bp.post("/users/<int:user_id>/tokens")
@staff_required(Role.SYS_ADMIN)
def token_new(user_id: int):
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("请填写令牌用途"), "error")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    with quanke().db.session() as db:
        user = db.get(User, user_id, options=[selectinload(User.grants)])
        if user is None:
            abort(404)
        token = tokens.create_token(db, user, name=form.name.data, actor=f"user:{current_user.id}")
    # Shown once, in this response only (never in the session cookie or a flash message).
    with quanke().db.session() as db:
        user = db.get(User, user_id, options=[selectinload(User.grants)])
        edit = UserForm(username=user.username, name=user.name,
                        centre=user.centre.code if user.centre else "", roles=_grants(user),
                        phone=user.phone, active=user.active)
        edit.centre.choices = _centre_choices(db)
        edit.roles.choices = _role_choices()
        return render_template("admin/user_form.html", form=edit, user=user,
                               tokens=tokens.tokens_of(db, user_id), token_form=TokenForm(),
                               new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@staff_required(Role.SYS_ADMIN)
def token_revoke(token_id: int):
    try:
        with quanke().db.session() as db:
            row = tokens.revoke(db, token_id, actor=f"user:{current_user.id}")
            user_id = row.user_id
        flash(_("令牌已作废"), "success")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    except QuankeError as exc:
        flash_error(exc)
        return redirect(url_for("admin.users"))


# -- centres and their services -------------------------------------------------------------------

@bp.get("/centres")
@staff_required(Role.SYS_ADMIN)
def centres():
    with quanke().db.session() as db:
        rows = db.scalars(select(Centre).options(selectinload(Centre.services)).order_by(Centre.code)).all()
        return render_template("admin/centres.html", rows=rows,
                               services=quanke().plugins.services)


@bp.route("/centres/<int:centre_id>", methods=["GET", "POST"])
@staff_required(Role.SYS_ADMIN)
def centre_edit(centre_id: int):
    q = quanke()
    if request.method == "POST":
        try:
            with q.db.session() as db:
                staff_admin.set_centre_services(db, current_user.model, centre_id,
                                                request.form.getlist("service"), set(q.plugins.services))
            flash(_("授权事项已保存"), "success")
            return redirect(url_for("admin.centre_edit", centre_id=centre_id))
        except QuankeError as exc:
            flash_error(exc)
    with q.db.session() as db:
        centre = db.get(Centre, centre_id)
        if centre is None:
            abort(404)
        have = {s.service_code for s in centre.services}
        services = sorted(q.plugins.services.values(), key=lambda s: (s.department, s.name))
        return render_template("admin/centre_form.html", centre=centre, have=have, services=services)


# -- follow-ups of bad ratings ---------------------------------------------------------------------

@bp.get("/follow-ups")
@staff_required(Role.CENTRE_ADMIN, Role.SYS_ADMIN)
def follow_ups():
    status = request.args.get("status", "open")
    with quanke().db.session() as db:
        rows = ratings.follow_ups(db, current_user.model, status=status if status in ("open", "closed") else None)
        return render_template("admin/follow_ups.html", rows=rows, status=status, form=FollowUpForm(),
                               today=today())


@bp.post("/follow-ups/<int:item_id>/close")
@staff_required(Role.CENTRE_ADMIN, Role.SYS_ADMIN)
def follow_up_close(item_id: int):
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash(_("请填写回访整改情况"), "error")
        return redirect(url_for("admin.follow_ups"))
    try:
        with quanke().db.session() as db:
            ratings.close_follow_up(db, current_user.model, item_id, resolution=form.resolution.data)
        flash(_("回访事项已办结"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("admin.follow_ups"))


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
    return render_template("admin/stats.html", s=result, figures=figures,
                           good_rate=(good * 100 // ratings_total) if ratings_total else None,
                           ratings_total=ratings_total,
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
    return Response(data, mimetype="text/csv; charset=utf-8", headers={
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
            stmt = stmt.where(AuditEvent.subject == f["subject"].upper())
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
        ids = {int(r.actor.split(":")[1]) for r in rows if r.actor.startswith("user:")}
        names = {uid: f"{name}（{username}）" for uid, name, username in db.execute(
            select(User.id, User.name, User.username).where(User.id.in_(ids or {-1})))}
        return render_template("admin/audit.html", rows=rows, f=f, page=page, has_more=has_more,
                               verify_result=verify_result, total_events=total_events, names=names)
