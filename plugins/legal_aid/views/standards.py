"""The economic hardship standards (Art. 34): the list and loading a CSV file, all lines or none."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from core.api import QuankeError
from plugins.legal_aid.domain import access, standards
from plugins.legal_aid.views.blueprint import bp, fail, need, quanke
from plugins.legal_aid.views.forms import StandardsForm


@bp.route("/standards", methods=["GET", "POST"])
@login_required
def standards_page():
    from core.api import actor_key
    user = need(lambda u: access.may_read(u) or access.may_keep_roster(u))
    form = StandardsForm()
    line_errors = []
    if request.method == "POST":
        need(access.may_keep_roster)
        upload = request.files.get("file")
        if not form.validate_on_submit() or upload is None or not upload.filename:
            flash("请选择经济困难标准文件（CSV）", "error")
        else:
            raw = upload.read(1_000_001)
            if len(raw) > 1_000_000:
                flash("文件过大（最多1MB）", "error")
            else:
                try:
                    with quanke().db.session() as session:
                        report = standards.load_bytes(session, raw, filename=upload.filename[:64],
                                                      actor=actor_key(user))
                    flash(f"经济困难标准已导入：{report}", "success")
                    return redirect(url_for("legal_aid.standards_page"))
                except QuankeError as exc:
                    fail(exc)
                    line_errors = (exc.details or {}).get("lines") or []
    with quanke().db.session() as session:
        rows = standards.all_standards(session)
    return render_template("legal_aid/standards.html", rows=rows, form=form, line_errors=line_errors,
                           may_edit=access.may_keep_roster(user))
