"""市民办事 — the citizen portal: services and guides, apply, track, correct, rate, book.

A citizen only ever sees their own applications (web.access.can_view); every change goes
through core.workflow, which checks ownership again.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from jinja2 import TemplateNotFound
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.acceptance import catalog, ratings, tickets
from core.people import citizens
from core import acceptance
from core.platform.clock import today
from core.platform.errors import QuankeError
from core.platform.models import Application, Centre, Citizen, State

from .common import details, load_app
from .counter import parse_materials
from .forms import AppointmentForm, ProfileForm, RatingForm
from .helpers import db_id, flash_error, new_key, quanke
from .identity import CitizenIdentity, citizen_required

bp = Blueprint("portal", __name__, url_prefix="/portal")

IDENTITY_STEP_NAMES = {"face": _l("人脸识别（与身份证照片比对）"), "sms": _l("手机短信验证"),
                       "esign": _l("电子签名（签署承诺书）")}
#: Where each remote identity step is done (web.remote_identity): step → endpoint name.
#: A step missing here shows "go to a counter" and cannot pass online.
IDENTITY_STEP_VIEWS: dict[str, str] = {"face": "remote_identity.face", "sms": "remote_identity.sms",
                                       "esign": "remote_identity.esign"}
#: The order a citizen does the steps in: the signature needs the face (and a phone code).
IDENTITY_STEP_ORDER = ["face", "sms", "esign"]


def _step_order(step: str) -> tuple[int, str]:
    return (IDENTITY_STEP_ORDER.index(step) if step in IDENTITY_STEP_ORDER else 99, step)


def _me() -> Citizen:
    return current_user.model


def _refresh_identity() -> None:
    """Reload the signed-in citizen after their account changed (real-name linking)."""
    from flask_login import login_user
    with quanke().db.session() as db:
        fresh = db.get(Citizen, _me().id, options=[joinedload(Citizen.applicant)])
    login_user(CitizenIdentity(fresh))


def _remote_services(query: str = ""):
    return catalog.search(quanke().plugins.services.values(), query, channel="remote", limit=100)


@bp.get("/")
@citizen_required
def home():
    me = _me()
    with quanke().db.session() as db:
        apps = db.scalars(select(Application).where(Application.citizen_id == me.id)
                          .order_by(Application.created_at.desc()).limit(100)).unique().all()
        return render_template("portal/home.html", apps=apps, me=me)


@bp.route("/profile", methods=["GET", "POST"])
@citizen_required
def profile():
    me = _me()
    form = ProfileForm()
    if me.applicant_id is None and form.validate_on_submit():
        try:
            with quanke().db.session() as db:
                citizens.link_applicant(db, me, name=form.name.data, id_number=form.id_number.data)
            _refresh_identity()
            flash(_("实名登记完成"), "success")
            return redirect(request.args.get("next") and url_for("portal.services") or url_for("portal.profile"))
        except QuankeError as exc:
            flash_error(exc)
            if exc.field == "id_number":
                form.id_number.errors = list(form.id_number.errors) + [exc.message]
    return render_template("portal/profile.html", form=form, me=me)


@bp.get("/services")
@citizen_required
def services():
    query = (request.args.get("q") or "").strip()[:50]
    return render_template("portal/services.html", services=_remote_services(query), query=query)


@bp.get("/services/<code>")
@citizen_required
def guide(code: str):
    service = quanke().service(code)
    if "remote" not in service.channels:
        abort(404)
    plugin_guide = None
    try:
        plugin_guide = quanke_template(f"{service.plugin}/guide.html")
    except TemplateNotFound:
        plugin_guide = None
    return render_template("portal/guide.html", service=service, plugin_guide=plugin_guide,
                           steps=[(s, IDENTITY_STEP_NAMES.get(s, s)) for s in sorted(service.identity)],
                           department=quanke().plugins.departments.get(service.department))


def quanke_template(name: str) -> str:
    from flask import current_app
    current_app.jinja_env.get_template(name)
    return name


@bp.route("/services/<code>/apply", methods=["GET", "POST"])
@citizen_required
def apply(code: str):
    q = quanke()
    service = q.service(code)
    if "remote" not in service.channels:
        abort(404)
    me = _me()
    if me.applicant_id is None:
        flash(_("网上申请前请先完成实名登记"), "warning")
        return redirect(url_for("portal.profile", next="apply"))
    form = service.form(formdata=request.form if request.method == "POST" else None, prefix="f")
    key = request.form.get("idempotency_key") or new_key()
    with q.db.session() as db:
        centres = [(str(c.id), c.name) for c in db.scalars(select(Centre).order_by(Centre.code))]
    if request.method == "POST" and form.validate():
        _paper, uploads = parse_materials(service, allow_paper=False)
        method = request.form.get("delivery_method", "pickup")
        pickup = request.form.get("pickup_centre_id", "")
        submit = request.form.get("action") == "submit"
        try:
            app = acceptance.file_application(
                q, me, service_code=service.code, applicant_id=me.applicant_id,
                form_data={k: v for k, v in form.data.items()}, uploads=uploads, submit=False,
                idempotency_key=f"c{me.id}-{key}"[:80], delivery_method=method,
                pickup_centre_id=db_id(pickup) if pickup in dict(centres) else None)
            if not submit:
                flash(_("草稿已保存，可继续上传材料后提交"), "success")
                return redirect(url_for("portal.application", app_id=app.id))
            return _submit(app.id)
        except QuankeError as exc:
            flash_error(exc)
            for name, messages in (exc.details or {}).get("fields", {}).items():
                if name in form._fields:
                    form._fields[name].errors = list(messages)
    return render_template("portal/apply.html", service=service, form=form, key=key,
                           centres=centres,
                           steps=[(s, IDENTITY_STEP_NAMES.get(s, s)) for s in sorted(service.identity)])


def _submit(app_id: int):
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        if app.state != State.DRAFT.value:  # double click: already submitted
            return redirect(url_for("portal.application", app_id=app_id))
    try:
        acceptance.submit_application(quanke(), _me(), app_id)
        flash(_("已提交，请等待窗口受理"), "success")
    except QuankeError as exc:
        if exc.code == "identity_required":
            flash(_("提交前须完成远程身份核验"), "warning")
            return redirect(url_for("portal.identity", app_id=app_id))
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


@bp.get("/applications/<int:app_id>")
@citizen_required
def application(app_id: int):
    me = _me()
    with quanke().db.session() as db:
        app = load_app(db, app_id, me)
        info = details(db, app, me, for_citizen=True)
        service = info["service"]
        missing_steps = sorted(set(service.identity) - set(app.identity_passed or []))
        return render_template("portal/application.html", rating_form=RatingForm(),
                               missing_steps=[(s, IDENTITY_STEP_NAMES.get(s, s)) for s in missing_steps],
                               **info)


@bp.post("/applications/<int:app_id>/submit")
@citizen_required
def submit(app_id: int):
    return _submit(app_id)


@bp.get("/applications/<int:app_id>/identity")
@citizen_required
def identity(app_id: int):
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        service = quanke().service(app.service_code)
        passed = set(app.identity_passed or [])
        steps = [{"code": s, "name": IDENTITY_STEP_NAMES.get(s, s), "passed": s in passed,
                  "endpoint": IDENTITY_STEP_VIEWS.get(s)}
                 for s in sorted(service.identity, key=_step_order)]
        return render_template("portal/identity.html", app=app, service=service, steps=steps,
                               complete=all(s["passed"] for s in steps),
                               can_submit=app.state == State.DRAFT.value)


@bp.post("/applications/<int:app_id>/materials")
@citizen_required
def materials(app_id: int):
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        service = quanke().service(app.service_code)
        state = app.state
    _paper, uploads = parse_materials(service, allow_paper=False)
    if not uploads:
        flash(_("请选择要上传的文件"), "warning")
        return redirect(url_for("portal.application", app_id=app_id))
    try:
        acceptance.attach_material(quanke(), _me(), app_id, uploads=uploads)
        if state == State.CORRECTION_REQUESTED.value and request.form.get("resubmit") == "y":
            acceptance.resubmit(quanke(), _me(), app_id)
            flash(_("补正材料已提交，请等待窗口受理"), "success")
        else:
            flash(_("材料已上传"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


@bp.post("/applications/<int:app_id>/resubmit")
@citizen_required
def resubmit(app_id: int):
    with quanke().db.session() as db:
        load_app(db, app_id, _me())
    try:
        acceptance.resubmit(quanke(), _me(), app_id)
        flash(_("已重新提交"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


@bp.post("/applications/<int:app_id>/withdraw")
@citizen_required
def withdraw(app_id: int):
    with quanke().db.session() as db:
        load_app(db, app_id, _me())
    try:
        acceptance.withdraw(quanke(), _me(), app_id, reason=request.form.get("reason", ""))
        flash(_("申请已撤回"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


@bp.post("/applications/<int:app_id>/rate")
@citizen_required
def rate(app_id: int):
    form = RatingForm()
    with quanke().db.session() as db:
        load_app(db, app_id, _me())
    if not form.validate_on_submit():
        flash(_("请选择评价等级"), "error")
        return redirect(url_for("portal.application", app_id=app_id))
    try:
        with quanke().db.session() as db:
            ratings.rate(quanke(), db, _me(), app_id, level=form.level.data,
                         comment=form.comment.data or "")
        flash(_("感谢您的评价！"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.application", app_id=app_id))


# -- appointments (预约) ----------------------------------------------------------------------

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
        return render_template("portal/appointments.html", form=form, mine=mine,
                               availability=availability, today=today())


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


def _next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day
