"""全科窗口工作台 — the all-round counter worker's pages, and the queue kiosk.

Find or register the applicant, pick the service (pinyin search), fill the plugin's own
form and material checklist, see the checks, then accept / return / refuse; hand over
results at any centre; call queue numbers; the citizen rates on the second screen.
"""
from __future__ import annotations

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.people import applicants
from core.acceptance import catalog, ratings, tickets
from core.approval import queues
from core import acceptance
from core.platform import actors
from core.platform.clock import today
from core.platform.errors import InvalidInput, QuankeError
from core.platform.identifiers import validate_credit_code, validate_resident_id
from core.acceptance.uploads import Upload
from core.platform.models import Applicant, Application, Centre, Role, State, User

from .access import may_reveal
from .common import details, load_app, run_action
from .forms import ApplicantForm, RatingForm
from .helpers import db_id, flash_error, new_key, quanke
from .identity import actor, staff_required

bp = Blueprint("counter", __name__)
COUNTER_ROLES = (Role.COUNTER, Role.AGENT)


# -- helpers ----------------------------------------------------------------------------------

def allowed_services(db, user) -> set[str]:
    """Services this worker may file: the centre's authorised list (counter) or agent ones."""
    q = quanke()
    codes: set[str] = set()
    if user.has_role(Role.COUNTER) and user.centre_id:
        centre = db.get(Centre, user.centre_id)
        codes |= {s.service_code for s in centre.services
                  if s.service_code in q.plugins.services
                  and "counter" in q.plugins.services[s.service_code].channels}
    if user.has_role(Role.AGENT):
        codes |= {c for c, s in q.plugins.services.items() if "agent" in s.channels}
    return codes


def parse_materials(service, *, allow_paper: bool = True) -> tuple[list[str], list[Upload]]:
    paper, uploads = [], []
    for spec in service.materials:
        upload = request.files.get(f"file-{spec.code}")
        if upload is not None and upload.filename:
            uploads.append(Upload(spec.code, upload.filename, upload.read()))
        elif allow_paper and request.form.get(f"mat-{spec.code}") == "paper":
            paper.append(spec.code)
    return paper, uploads


def _back(app_id: int):
    return redirect(url_for("counter.application", app_id=app_id))


def _act(app_id: int, fn, success):
    """Run one workflow action for a form post; flash the outcome and go back to the page."""
    return run_action(app_id, fn, success, url_for("counter.application", app_id=app_id))


def _centre_choices(db) -> list[tuple[str, str]]:
    return [(str(c.id), c.name) for c in db.scalars(select(Centre).order_by(Centre.code))]


# -- home, ID check, applicant ---------------------------------------------------------------

@bp.get("/counter/")
@staff_required(*COUNTER_ROLES)
def home():
    user = current_user.model
    with quanke().db.session() as db:
        work = queues.counter_today(db, user, today())
        current = tickets.current_for(db, user) if user.centre_id else None
        waiting = tickets.waiting(db, user.centre_id) if user.centre_id else []
        appointments = tickets.appointments_for_centre(db, user.centre_id) if user.centre_id else []
        return render_template("counter/home.html", work=work, current=current, waiting=waiting,
                               appointments=appointments, form=ApplicantForm())


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
        from .access import visible_filter
        apps = db.scalars(select(Application).where(Application.applicant_id == person.id,
                                                    visible_filter(user))
                          .order_by(Application.created_at.desc()).limit(50)).unique().all()
        if reveal:
            from core.platform import audit
            from core.platform import actors
            audit.record_view(db, actor=actors.actor_key(user), object_type="applicant",
                              object_id=person.id, subject=person.id_number,
                              fields=["id_number", "phone"])
        from .drafts import drafts_for
        return render_template("counter/applicant_page.html", person=person, services=found,
                               query=query, apps=apps, reveal=reveal, allowed=allowed,
                               drafts=drafts_for(db, user, person.id))


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
    form = service.form(formdata=request.form if request.method == "POST" else None, prefix="f")
    key = request.form.get("idempotency_key") or new_key()
    consent_error = None
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
                    pickup_centre_id=db_id(pickup) if pickup in dict(centres) else None)
                flash(_("已登记申请 %(number)s，请核对材料与核查结果后受理", number=app.number), "success")
                return redirect(url_for("counter.application", app_id=app.id))
            except QuankeError as exc:
                flash_error(exc)
                fields = (exc.details or {}).get("fields", {})
                for name, messages in fields.items():
                    if name in form._fields:
                        form._fields[name].errors = list(messages)
    return render_template("counter/apply.html", service=service, form=form, key=key,
                           applicant_name=person_name, applicant_id=person_id, centres=centres,
                           consent_error=consent_error,
                           department=q.plugins.departments.get(service.department))


# -- the application page and its actions ------------------------------------------------------

@bp.get("/counter/applications/<int:app_id>")
@staff_required(*COUNTER_ROLES)
def application(app_id: int):
    q = quanke()
    who = current_user.model
    with q.db.session() as db:
        state = load_app(db, app_id, who).state
    # Checks open their own session: run them before ours (sessions never nest on SQLite).
    checks = acceptance.preview_checks(q, app_id) if state == State.SUBMITTED.value else []
    with q.db.session() as db:
        app = load_app(db, app_id, who)
        reveal = request.args.get("reveal") == "1" and may_reveal(who, app, db)
        info = details(db, app, who, reveal=reveal)
        blocked = any(r.outcome.value == "block" for _c, _n, r in checks)
        warned = any(r.outcome.value == "warn" for _c, _n, r in checks)
        return render_template("counter/application.html", checks=checks, blocked=blocked,
                               warned=warned, can_reveal=may_reveal(who, app, db), **info)


@bp.post("/counter/applications/<int:app_id>/accept")
@staff_required(Role.COUNTER)
def accept(app_id: int):
    warn_reason = request.form.get("warn_reason", "")
    return _act(app_id, lambda: acceptance.accept(quanke(), actor(), app_id, warn_reason=warn_reason),
                lambda app: _("已受理，受理编号 %(no)s，办结期限 %(due)s", no=app.receipt_no, due=app.due_date))


@bp.post("/counter/applications/<int:app_id>/return")
@staff_required(Role.COUNTER)
def return_(app_id: int):
    defects = {}
    for key in request.form:
        if key.startswith("defect-"):
            code = key[len("defect-"):]
            defects[code] = request.form.get(f"reason-{code}", "")
    note = request.form.get("note", "")
    return _act(app_id, lambda: acceptance.return_for_correction(quanke(), actor(), app_id,
                                                               defects=defects, note=note),
                _("已出具一次性补正告知书"))


@bp.post("/counter/applications/<int:app_id>/refuse")
@staff_required(Role.COUNTER)
def refuse(app_id: int):
    reasons = request.form.get("reasons", "")
    return _act(app_id, lambda: acceptance.refuse(quanke(), actor(), app_id, reasons=reasons),
                _("已作出不予受理决定"))


@bp.post("/counter/applications/<int:app_id>/materials")
@staff_required(Role.COUNTER)
def add_materials(app_id: int):
    with quanke().db.session() as db:  # 404 before reading any upload
        app = load_app(db, app_id, actor())
        service = quanke().service(app.service_code)
    paper, uploads = parse_materials(service)
    if not paper and not uploads:
        flash(_("请勾选收到的纸质材料或选择扫描件"), "warning")
        return _back(app_id)
    return _act(app_id, lambda: acceptance.attach_material(quanke(), actor(), app_id, paper=paper,
                                                         uploads=uploads),
                _("材料已补收"))


@bp.post("/counter/applications/<int:app_id>/resubmit")
@staff_required(Role.COUNTER)
def resubmit(app_id: int):
    return _act(app_id, lambda: acceptance.resubmit(quanke(), actor(), app_id), _("已重新提交，可以受理"))


@bp.post("/counter/applications/<int:app_id>/withdraw")
@staff_required(Role.COUNTER)
def withdraw(app_id: int):
    reason = request.form.get("reason", "")
    return _act(app_id, lambda: acceptance.withdraw(quanke(), actor(), app_id, reason=reason),
                _("已按申请人意愿撤回"))


# -- pickup / handover (同城取件) --------------------------------------------------------------

@bp.get("/counter/pickup")
@staff_required(Role.COUNTER)
def pickup():
    query = (request.args.get("q") or "").strip()[:40]
    with quanke().db.session() as db:
        found = queues.find_for_pickup(db, query) if query else []
        waiting = queues.pickup_waiting(db, current_user.model.centre_id)
        return render_template("counter/pickup.html", query=query, found=found, waiting=waiting)


@bp.route("/counter/applications/<int:app_id>/deliver", methods=["GET", "POST"])
@staff_required(Role.COUNTER)
def deliver(app_id: int):
    who = current_user.model
    if request.method == "POST":
        with quanke().db.session() as db:
            load_app(db, app_id, who)
        method = request.form.get("method", "pickup")
        try:
            acceptance.deliver(quanke(), who, app_id, method=method,
                             recipient_name=request.form.get("recipient_name", ""),
                             recipient_id_number=request.form.get("recipient_id_number", ""),
                             tracking_no=request.form.get("tracking_no", ""))
            flash(_("已完成交付，请申请人在评价屏上评价"), "success")
            return redirect(url_for("counter.application", app_id=app_id))
        except QuankeError as exc:
            if exc.http_status == 403 and exc.code != "recipient_mismatch":
                raise
            flash_error(exc)
    with quanke().db.session() as db:
        app = load_app(db, app_id, who)
        info = details(db, app, who)
        return render_template("counter/deliver.html", **info)


# -- second screen rating (好差评) --------------------------------------------------------------

@bp.route("/counter/applications/<int:app_id>/rate", methods=["GET", "POST"])
@staff_required(Role.COUNTER)
def rate(app_id: int):
    who = current_user.model
    form = RatingForm()
    with quanke().db.session() as db:
        app = load_app(db, app_id, who)
        number, service_code = app.number, app.service_code
        existing = ratings.rating_for(db, app_id)
    done = existing is not None
    if not done and form.validate_on_submit():
        try:
            with quanke().db.session() as db:
                ratings.rate(quanke(), db, who, app_id, level=form.level.data, comment=form.comment.data or "")
            done = True
        except QuankeError as exc:
            flash_error(exc)
    return render_template("counter/rate.html", form=form, done=done, number=number,
                           service_code=service_code, app_id=app_id)


# -- queue: call numbers, appointments -----------------------------------------------------------

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

