"""Sign-in: staff (username + password, argon2) and citizens (phone + SMS code), separately."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.platform import audit
from core.people import lockout, sms_login as sms
from core.people.passwords import DEMO_PASSWORD
from core.platform.errors import QuankeError
from core.platform.models import Citizen, User
from core.people.staff_admin import change_own_password
from core.people.users import end_sessions
from core.people.users import hash_password, verify_password

from .forms import CodeForm, LoginForm, PasswordChangeForm, PhoneForm
from .helpers import flash_error, quanke, safe_next
from .identity import CitizenIdentity, StaffIdentity, staff_required

bp = Blueprint("auth", __name__)
_DUMMY_HASH = None


def _fresh_session() -> None:
    """New session on sign-in (no fixation); the language choice survives."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
def login():
    global _DUMMY_HASH
    if current_user.is_authenticated and current_user.is_staff:
        from .menu import home_for
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        with quanke().db.session() as db:
            user = db.scalars(select(User).where(User.username == username)
                              .options(selectinload(User.grants), joinedload(User.centre))).unique().first()
            if user is None:
                _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-real-password")
                verify_password(_DUMMY_HASH, form.password.data)  # same time as a real check
                ok = False
                audit.record(db, actor="anonymous", action="login_failed", object_type="user",
                             object_id=username[:64], data={"ip": request.remote_addr or ""})
            else:
                ok = user.active and verify_password(user.password_hash, form.password.data)
                after = lockout.record_attempt(db, user.id, ok, lockout.Policy.from_config(quanke().config),
                                               ip=request.remote_addr or "")
                ok = ok and not after.locked
        if ok:
            _fresh_session()
            login_user(StaffIdentity(user))
            from .menu import home_for
            return redirect(safe_next(request.args.get("next"), home_for(current_user)))
        # One message for unknown, wrong and locked: it must not tell which accounts exist.
        flash(_("用户名或密码不正确；连续多次输错后账号将暂时锁定，请稍后再试或联系管理员"), "error")
    return render_template("auth/login.html", form=form, demo_password=DEMO_PASSWORD)


@bp.post("/logout")
def logout():
    kind = current_user.kind if current_user.is_authenticated else "staff"
    if current_user.is_authenticated:   # every copy of this session's cookie ends here too
        with quanke().db.session() as db:
            end_sessions(db.get(type(current_user.model), current_user.model.id))
    logout_user()
    _fresh_session()
    flash(_("已安全退出"), "success")
    return redirect(url_for("auth.citizen_login" if kind == "citizen" else "auth.login"))


@bp.route("/portal/login", methods=["GET", "POST"])
def citizen_login():
    if current_user.is_authenticated and current_user.is_citizen:
        return redirect(url_for("portal.home"))
    phone_form = PhoneForm(prefix="p")
    code_form = CodeForm(prefix="c")
    step = "phone"
    if request.method == "POST" and request.form.get("step") == "send":
        if phone_form.validate():
            try:
                with quanke().db.session() as db:
                    phone = sms.send_code(quanke(), db, phone_form.phone.data)
                flash(_("验证码已发送，5分钟内有效"), "success")
                code_form.phone.data = phone
                step = "code"
            except QuankeError as exc:
                flash_error(exc)
                if exc.code == "sms_too_soon":
                    code_form.phone.data = phone_form.phone.data.strip()
                    step = "code"
    elif request.method == "POST" and request.form.get("step") == "verify":
        step = "code"
        if code_form.validate():
            try:
                with quanke().db.session() as db:
                    phone = sms.verify_code(quanke(), db, code_form.phone.data, code_form.code.data)
                    citizen = sms.citizen_for_phone(db, phone)
                    audit.record(db, actor=f"citizen:{citizen.id}", action="citizen_login",
                                 object_type="citizen", object_id=citizen.id)
                with quanke().db.session() as db:
                    citizen = db.get(Citizen, citizen.id, options=[joinedload(Citizen.applicant)])
                _fresh_session()
                login_user(CitizenIdentity(citizen))
                return redirect(safe_next(request.args.get("next"), url_for("portal.home")))
            except QuankeError as exc:
                flash_error(exc)
    return render_template("auth/citizen_login.html", phone_form=phone_form, code_form=code_form,
                           step=step)


@bp.route("/account", methods=["GET", "POST"])
@staff_required()
def account():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with quanke().db.session() as db:
                fresh = change_own_password(db, current_user.model, form.old_password.data,
                                            form.new_password.data)
                identity = StaffIdentity(fresh)
                identity.get_id()          # (read the new version inside the session)
            login_user(identity)           # this browser stays signed in; every other session ended
            flash(_("密码已修改"), "success")
            return redirect(url_for("auth.account"))
        except QuankeError as exc:
            flash_error(exc)
    return render_template("auth/account.html", form=form, user=current_user.model)
