"""Pages: the archive staff's search and record pages, the bureau's settings page, and the
citizen's "who looked at my records" page in the portal.

Every page needs a signed-in user; the staff pages only open for archive-bureau roles
(approver or lead of ``archives``), the settings change only for its lead. Forms carry CSRF
tokens (Flask-WTF). The reads go through :mod:`.lookups`, which logs every look.
"""
from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from core.api import Citizen, QuankeError

from plugins.archive_query.domain import lookups, settings
from plugins.archive_query.domain.access import access_log_for, is_archive_lead, is_archive_staff, log_entry
from plugins.archive_query.forms import SearchForm, SettingsForm
from plugins.archive_query.views.common import quanke, signed_in

bp = Blueprint("archive_query", __name__, template_folder="../templates")  # the plugin root's templates/


def _login_first():
    return current_app.login_manager.unauthorized()


def archive_staff_only(view):
    @functools.wraps(view)
    def inner(*args, **kwargs):
        me = signed_in()
        if me is None:
            return _login_first()
        if not is_archive_staff(me):
            abort(403)
        return view(*args, **kwargs)
    return inner


def citizen_only(view):
    @functools.wraps(view)
    def inner(*args, **kwargs):
        me = signed_in()
        if me is None:
            return _login_first()
        if not isinstance(me, Citizen):
            abort(403)
        return view(*args, **kwargs)
    return inner


def _flash_error(exc: QuankeError) -> None:
    flash(exc.message, "error")


@bp.route("/archive/search", methods=["GET", "POST"])
@archive_staff_only
def search():
    form = SearchForm()
    results, matches, searched = [], [], False
    if form.validate_on_submit():
        searched = True
        try:
            if form.mode.data == "id":
                results = lookups.staff_by_id(quanke(), signed_in(), id_number=form.id_number.data or "",
                                              category=form.category.data or None,
                                              reason=form.reason.data, channel="search_page")
            else:
                matches = lookups.staff_by_name(quanke(), signed_in(), name=form.name.data or "",
                                                birth_year=form.birth_year.data,
                                                category=form.category.data or None,
                                                reason=form.reason.data, channel="search_page")
        except QuankeError as exc:
            _flash_error(exc)
            searched = False
    elif request.method == "POST":
        for field, messages in form.errors.items():
            for message in messages:
                flash(str(message), "error")
    return render_template("archive_query/search.html", form=form, results=results,
                           matches=matches, searched=searched, reason=form.reason.data or "")


@bp.get("/archive/records/<int:record_id>")
@archive_staff_only
def record(record_id: int):
    reason = request.args.get("reason", "")
    try:
        view = lookups.staff_record(quanke(), signed_in(), record_id, reason=reason,
                                    channel="record_page")
    except QuankeError as exc:
        if exc.code == "record_not_found":
            abort(404)
        _flash_error(exc)
        return redirect(url_for("archive_query.search"))
    return render_template("archive_query/record.html", record=view, reason=reason)


@bp.route("/archive/settings", methods=["GET", "POST"])
@archive_staff_only
def bureau_settings():
    me = signed_in()
    lead = is_archive_lead(me)
    with quanke().db.session() as session:
        current = settings.read(session)
    form = SettingsForm(data={"auto_approve_self": current.auto_approve_self})
    if request.method == "POST":
        if not lead:
            abort(403)
        if form.validate_on_submit():
            try:
                settings.set_auto_approve(quanke(), me, enabled=bool(form.auto_approve_self.data),
                                          note=form.note.data)
                flash("自动审批设置已保存", "success")
                return redirect(url_for("archive_query.bureau_settings"))
            except QuankeError as exc:
                _flash_error(exc)
        else:
            for messages in form.errors.values():
                for message in messages:
                    flash(str(message), "error")
    return render_template("archive_query/settings.html", form=form, current=current, lead=lead)


@bp.get("/portal/archive/access-log")
@citizen_only
def my_access_log():
    me = signed_in()
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    with quanke().db.session() as session:
        citizen = session.get(Citizen, me.id)
        applicant = citizen.applicant if citizen else None
        if applicant is None:
            return render_template("archive_query/access_log.html", entries=[], total=0, page=1,
                                   pages=1, real_name=False)
        rows, total = access_log_for(session, applicant.id_number, page=page, per_page=20)
        entries = [log_entry(r, f"citizen:{me.id}") for r in rows]
    return render_template("archive_query/access_log.html", entries=entries, total=total,
                           page=page, pages=max(1, -(-total // 20)), real_name=True)


def menu_links(user) -> list[dict] | None:
    """Menu entries for ``menu_links``: the citizen's log; the staff's search and settings."""
    try:
        if isinstance(user, Citizen):
            return [{"href": url_for("archive_query.my_access_log"), "label": "档案查阅记录"}]
        if is_archive_staff(user):
            return [{"href": url_for("archive_query.search"), "label": "档案检索"},
                    {"href": url_for("archive_query.bureau_settings"), "label": "档案馆设置"}]
    except RuntimeError:  # no request context (e.g. called from a script)
        return None
    return None



@bp.get("/archive/applications/<int:app_id>/records")
@archive_staff_only
def application_records(app_id: int):
    """What an archive query application would find, for the approver before deciding (the look
    is logged against the application, as every look)."""
    from core.api import Application
    with quanke().db.session() as s:
        app = s.get(Application, app_id)
        if app is None or app.service_code != "archive_query.query":
            abort(404)
        form, number, state = dict(app.form_data or {}), app.number, app.state
    reason = f"审批前核对档案查询申请 {number}（查询用途：{form.get('purpose', '')}）"
    try:
        records = lookups.staff_by_id(quanke(), signed_in(), id_number=form.get("subject_id_number", ""),
                                      reason=reason, category=form.get("category") or None,
                                      channel="application_review")
    except QuankeError as exc:
        _flash_error(exc)
        records = []
    return render_template("archive_query/application_records.html", records=records, app_id=app_id,
                           number=number, state=state, form=form, reason=reason)
