"""The application page at the counter and its actions (accept, return, refuse, materials,
resubmit, withdraw), handover at any centre (同城取件) and the second-screen rating (好差评)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import acceptance
from core.acceptance import ratings
from core.approval import queues
from core.platform.errors import QuankeError
from core.platform.models import Role, State

from ..access import may_reveal, reveal_needs_identity
from ..common import details, load_app
from ..forms import RatingForm
from ..helpers import flash_error, quanke
from ..identity import actor, staff_required
from .blueprint import COUNTER_ROLES, _act, _back, bp, parse_materials


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
        if state == State.SUBMITTED.value:
            # what the plugin says is still to come (acceptance refuses on it too): listed
            # under 尚缺 and on the one-time notice, not only in a check's reason
            from core.acceptance.validation import material_gaps
            listed = {code for code, _name in info["missing"]}
            info["missing"] = info["missing"] + [(code, info["service"].material(code).name)
                                                 for code in material_gaps(q, db, app) if code not in listed]
        blocked = any(r.outcome.value == "block" for _c, _n, r in checks)
        warned = any(r.outcome.value == "warn" for _c, _n, r in checks)
        # Only the receiving centre acts for the applicant (core.acceptance.powers); a pick-up
        # centre's worker sees the case but no button the workflow would refuse.
        acts_for_applicant = who.has_role(Role.COUNTER) and app.centre_id in (None, who.centre_id)
        return render_template("counter/application.html", checks=checks, blocked=blocked,
                               warned=warned, can_reveal=may_reveal(who, app, db),
                               acts_for_applicant=acts_for_applicant,
                               reveal_after_id=reveal_needs_identity(who, app, db), **info)


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
        if app.state == "issued" and app.delivery_method == "courier" and app.courier_address:
            # the worker posting it needs the whole address: shown, and the view recorded
            from core.platform import actors, audit
            audit.record_view(db, actor=actors.actor_key(who), object_type="application",
                              object_id=app.id, subject=app.applicant.id_number,
                              fields=["courier_address"], application_id=app.id)
            info["courier"] = app.courier_address
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

