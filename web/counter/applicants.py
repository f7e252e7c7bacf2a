"""The counter's home, the ID check as it is typed, finding or registering the applicant
(and a new phone for them), the service search, and filing a new application."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core import acceptance
from core.acceptance import catalog, first_contact, tickets
from core.acceptance.prefill import form_defaults
from core.identity.models import FaceReference
from core.approval import queues
from core.people import applicants, presence
from core.platform import actors
from core.platform.clock import today
from core.platform.errors import QuankeError
from core.platform.identifiers import validate_credit_code, validate_resident_id
from core.platform.models import Applicant, Application, Department, Role, User

from ..delivery import delivery_errors, new_choice, posted_address, posted_choice
from ..forms import ApplicantForm
from ..helpers import db_id, flash_error, new_key, quanke, safe_next
from ..identity import staff_required
from .blueprint import COUNTER_ROLES, _centre_choices, allowed_services, bp, parse_materials


@bp.get("/counter/")
@staff_required(*COUNTER_ROLES)
def home():
    user = current_user.model
    with quanke().db.session() as db:
        work = queues.counter_today(db, user, today())
        current = tickets.current_for(db, user) if user.centre_id else None
        waiting = tickets.waiting(db, user.centre_id) if user.centre_id else []
        appointments = tickets.appointments_for_centre(db, user.centre_id) if user.centre_id else []
        mine = first_contact.first_contacts(db, user)
        owners = {e.id: first_contact.owner_label(db, e.owner_id, e.owner_department)
                  for e in mine.enquiries}
        departments = db.scalars(select(Department).order_by(Department.code)).all()
        colleagues = db.scalars(select(User).where(User.active.is_(True), User.id != user.id,
                                                   User.centre_id == user.centre_id)
                                .order_by(User.name).limit(200)).all() if user.centre_id else []
        return render_template("counter/home.html", work=work, current=current, waiting=waiting,
                               appointments=appointments, form=ApplicantForm(), mine=mine,
                               enquiry_owners=owners, departments=departments, colleagues=colleagues)


@bp.get("/validate-id")
@login_required
def validate_id():
    """Validate a resident ID or credit code as it is typed (JSON, no side effects)."""
    kind = request.args.get("kind", "person")
    number = (request.args.get("number") or "")[:64]
    try:
        if kind == "enterprise":
            code = validate_credit_code(number)
            return jsonify({"ok": True, "number": code, "message": _("统一社会信用代码格式正确")})
        rid = validate_resident_id(number)
    except QuankeError as exc:
        return jsonify({"ok": False, "error": exc.code, "message": exc.message})
    message = _("号码有效：%(birth)s 出生，%(gender)s", birth=rid.birth_date.isoformat(), gender=rid.gender)
    if rid.place:
        message += f"，{rid.place}"
    for warning in rid.warnings:
        message += f"（{warning}）"
    return jsonify({"ok": True, "number": rid.number, "message": message,
                    "birth_date": rid.birth_date.isoformat(), "gender": rid.gender,
                    "place": rid.place, "warnings": list(rid.warnings)})


@bp.route("/counter/applicant", methods=["GET", "POST"])
@staff_required(*COUNTER_ROLES)
def applicant():
    form = ApplicantForm()
    need_name = False
    if form.validate_on_submit():
        kind, number = form.kind.data, form.id_number.data.strip().upper()
        try:
            number = validate_credit_code(number) if kind == "enterprise" else validate_resident_id(number).number
            with quanke().db.session() as db:
                found = applicants.find(db, kind, number)
                if found is None and not (form.name.data or "").strip():
                    need_name = True
                    flash(_("系统中还没有该申请人，请填写姓名/名称后登记"), "warning")
                else:
                    person, warnings = applicants.register(
                        db, kind=kind, id_number=number,
                        name=(form.name.data or "").strip() or found.name,
                        phone=form.phone.data or "", actor=actors.actor_key(current_user.model))
                    for warning in warnings:
                        flash(warning, "warning")
                    # The worker typed the number from the ID the person shows: at the window now.
                    presence.identified(db, current_user.model, person, how="counter_lookup")
                    return redirect(url_for("counter.applicant_page", applicant_id=person.id))
        except QuankeError as exc:
            flash_error(exc)
            if exc.field in form._fields:
                form._fields[exc.field].errors = list(form._fields[exc.field].errors) + [exc.message]
    return render_template("counter/applicant.html", form=form, need_name=need_name)


@bp.get("/counter/applicants/<int:applicant_id>")
@staff_required(*COUNTER_ROLES)
def applicant_page(applicant_id: int):
    user = current_user.model
    query = (request.args.get("q") or "").strip()[:50]
    reveal = request.args.get("reveal") == "1"
    with quanke().db.session() as db:
        person = db.get(Applicant, applicant_id)
        if person is None:
            abort(404)
        allowed = allowed_services(db, user)
        found = catalog.search(quanke().plugins.services.values(), query, allowed=allowed)
        from ..access import visible_filter
        apps = db.scalars(select(Application).where(Application.applicant_id == person.id,
                                                    visible_filter(user))
                          .order_by(Application.created_at.desc()).limit(50)).unique().all()
        # The full number and phone only for the person at the window (ID re-checked by this
        # worker: core.people.presence), audited and limited per hour (core.people.reveals).
        present = presence.is_present(db, user, person.id)
        reveal = reveal and present
        if reveal:
            from core.people.reveals import record_reveal
            record_reveal(db, quanke(), actor=actors.actor_key(user), object_type="applicant",
                          object_id=person.id, subject=person.id_number, fields=["id_number", "phone"])
        from ..drafts import drafts_for
        portraits = db.scalar(select(func.count(FaceReference.id)).where(
            FaceReference.applicant_id == person.id, FaceReference.active.is_(True)))
        return render_template("counter/applicant_page.html", person=person, services=found,
                               query=query, apps=apps, reveal=reveal, allowed=allowed, present=present,
                               drafts=drafts_for(db, user, person.id), portraits=portraits)


@bp.post("/counter/applicants/<int:applicant_id>/phone")
@staff_required(Role.COUNTER)
def change_phone(applicant_id: int):
    """变更手机号码: the person is at the counter with their ID (re-checked here); audited,
    the old number is told (core.people.applicants.change_phone)."""
    try:
        with quanke().db.session() as db:
            applicants.change_phone(db, applicant_id=applicant_id, user=db.get(User, current_user.model.id),
                                    id_number=request.form.get("id_number", ""), phone=request.form.get("phone", ""))
        flash(_("手机号码已变更，原号码已收到短信通知"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("counter.applicant_page", applicant_id=applicant_id))


@bp.post("/counter/applicants/<int:applicant_id>/identify")
@staff_required(Role.COUNTER)
def identify(applicant_id: int):
    """核验证件: the worker types the number from the ID the person at the window shows; for
    the next half hour the worker may help with their drafts and see their full data
    (core.people.presence). ``next`` goes back to the page that asked (same site only)."""
    back = safe_next(request.form.get("next"), url_for("counter.applicant_page", applicant_id=applicant_id))
    try:
        with quanke().db.session() as db:
            presence.identify(db, current_user.model, applicant_id, request.form.get("id_number", "")[:64],
                              how="counter_recheck")
        flash(_("证件核验一致"), "success")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(back)


@bp.get("/counter/services")
@staff_required(*COUNTER_ROLES)
def services_json():
    """Catalog search as JSON (for the search box), limited to what this worker may file."""
    with quanke().db.session() as db:
        allowed = allowed_services(db, current_user.model)
    found = catalog.search(quanke().plugins.services.values(), request.args.get("q", "")[:50],
                           allowed=allowed, limit=20)
    return jsonify([{"code": s.code, "name": s.name,
                     "department": quanke().plugins.departments.get(s.department, s.department)}
                    for s in found])


# -- a new application ------------------------------------------------------------------------

@bp.route("/counter/applicants/<int:applicant_id>/apply/<service_code>", methods=["GET", "POST"])
@staff_required(*COUNTER_ROLES)
def apply(applicant_id: int, service_code: str):
    q = quanke()
    user = current_user.model
    service = q.service(service_code)
    with q.db.session() as db:
        person = db.get(Applicant, applicant_id)
        if person is None:
            abort(404)
        if service.code not in allowed_services(db, user):
            abort(403)
        centres = _centre_choices(db)
        person_name, person_id = person.name, person.id
        choice = posted_choice(request.form) if request.method == "POST" else new_choice(person)
        known = form_defaults(q, db, service, person) if request.method == "GET" else None
    form = service.form(formdata=request.form if request.method == "POST" else None, prefix="f",
                        data=known)
    key = request.form.get("idempotency_key") or new_key()
    consent_error, errors = None, {}
    if request.method == "POST":
        consent = request.form.get("consent") == "y"
        valid = form.validate()
        if not consent:
            consent_error = _("请确认申请人同意由您代为填报")
        if valid and consent:
            paper, uploads = parse_materials(service)
            method = request.form.get("delivery_method", "pickup")
            pickup = request.form.get("pickup_centre_id", "")
            try:
                app = acceptance.file_application(
                    q, user, service_code=service.code, applicant_id=person_id,
                    form_data={k: v for k, v in form.data.items()}, paper=paper, uploads=uploads,
                    consent=True, consent_text=_("申请人当面同意由工作人员代为填报，已核对身份证件"),
                    idempotency_key=key[:80], delivery_method=method,
                    courier_address=posted_address(request.form),
                    pickup_centre_id=db_id(pickup) if pickup in dict(centres) else None)
                flash(_("已登记申请 %(number)s，请核对材料与核查结果后受理", number=app.number), "success")
                return redirect(url_for("counter.application", app_id=app.id))
            except QuankeError as exc:
                flash_error(exc)
                errors = delivery_errors(exc)
                fields = (exc.details or {}).get("fields", {})
                for name, messages in fields.items():
                    if name in form._fields:
                        form._fields[name].errors = list(messages)
    return render_template("counter/apply.html", service=service, form=form, key=key,
                           applicant_name=person_name, applicant_id=person_id, centres=centres,
                           consent_error=consent_error, choice=choice, delivery_errors=errors,
                           department=q.plugins.departments.get(service.department))
