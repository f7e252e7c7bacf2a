"""The portal's home, the real-name profile (实名登记), the remote services with their guides,
and applying online (saved as a draft, or submitted at once)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from jinja2 import TemplateNotFound
from sqlalchemy import select

from core import acceptance
from core.acceptance.prefill import form_defaults
from core.people import citizens
from core.platform.errors import QuankeError
from core.people import walk_ins
from core.platform.models import Applicant, Application, Centre, Citizen, Document

from ..counter import parse_materials
from ..delivery import delivery_errors, new_choice, posted_address, posted_choice
from ..forms import ProfileForm
from ..helpers import db_id, flash_error, new_key, quanke
from ..identity import citizen_required
from .blueprint import IDENTITY_STEP_NAMES, _me, _refresh_identity, _remote_services, _submit, bp


@bp.get("/")
@citizen_required
def home():
    me = _me()
    with quanke().db.session() as db:
        apps = db.scalars(select(Application).where(Application.citizen_id == me.id)
                          .order_by(Application.created_at.desc()).limit(100)).unique().all()
        # 电子证照: the results issued to this account, walk-in ones included
        papers = db.execute(select(Document, Application.service_code).join(Application, Application.id == Document.application_id)
                            .where(Application.citizen_id == me.id, Document.kind.notin_(NOT_RESULTS),
                                   Document.status == "valid")
                            .order_by(Document.issued_at.desc()).limit(50)).all()
        # linked by ID and name only: the counter's walk-ins wait for a verified phone
        unverified = me.applicant_id is not None and walk_ins.verified_link(db, db.get(Citizen, me.id)) is None
        return render_template("portal/home.html", apps=apps, me=me, papers=papers,
                               unverified=unverified)


#: Papers of the procedure, not results: 我的证照 lists the rest (certificates, decision letters).
NOT_RESULTS = ("receipt", "correction_notice")


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
    key = request.form.get("idempotency_key") or new_key()
    errors = {}
    with q.db.session() as db:
        centres = [(str(c.id), c.name) for c in db.scalars(select(Centre).order_by(Centre.code))]
        person = db.get(Applicant, me.applicant_id)
        choice = posted_choice(request.form) if request.method == "POST" else new_choice(person)
        known = form_defaults(q, db, service, person) if request.method == "GET" else None
    form = service.form(formdata=request.form if request.method == "POST" else None, prefix="f",
                        data=known)
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
                courier_address=posted_address(request.form),
                pickup_centre_id=db_id(pickup) if pickup in dict(centres) else None)
            if not submit:
                flash(_("草稿已保存，可继续上传材料后提交"), "success")
                return redirect(url_for("portal.application", app_id=app.id))
            return _submit(app.id)
        except QuankeError as exc:
            flash_error(exc)
            errors = delivery_errors(exc)
            for name, messages in (exc.details or {}).get("fields", {}).items():
                if name in form._fields:
                    form._fields[name].errors = list(messages)
    return render_template("portal/apply.html", service=service, form=form, key=key,
                           centres=centres, choice=choice, delivery_errors=errors,
                           steps=[(s, IDENTITY_STEP_NAMES.get(s, s)) for s in sorted(service.identity)])

