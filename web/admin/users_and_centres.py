"""What the system administrator sets up: staff users with their roles and API tokens, and each
centre's authorised services."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from core.people import staff_admin, tokens
from core.people.users import create_user
from core.platform.errors import QuankeError
from core.platform.models import DEPARTMENT_ROLES, Centre, Role, User

from ..forms import TokenForm, UserForm
from ..helpers import ROLE_NAMES, department_name, flash_error, page_args, quanke
from ..identity import staff_required
from .blueprint import bp


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
