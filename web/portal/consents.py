"""授权窗口协助 — the citizen lets one centre's counter workers open and change their drafts
for a limited time (:mod:`core.people.consent`), sees the consents in force and revokes one.
Granting and revoking are audited; a counter at another centre still needs the citizen at
the window with their ID re-checked."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.people import consent
from core.platform.errors import QuankeError
from core.platform.models import Centre

from ..helpers import db_id, flash_error, quanke
from ..identity import citizen_required
from .blueprint import _me, bp

HOURS = (2, 8, 24, 72)


@bp.route("/consents", methods=["GET", "POST"])
@citizen_required
def consents():
    q, me = quanke(), _me()
    if request.method == "POST":
        centre_id = db_id(request.form.get("centre_id", ""))
        hours = db_id(request.form.get("hours", "")) or 0
        try:
            with q.db.session() as db:
                consent.grant(db, me, centre_id or 0, hours if hours in HOURS else -1)
                db.commit()
            flash(_("已授权该服务中心的窗口协助修改您的草稿"), "success")
            return redirect(url_for("portal.consents"))
        except QuankeError as exc:
            flash_error(exc)
    with q.db.session() as db:
        centres = db.scalars(select(Centre).order_by(Centre.code)).all()
        names = {c.id: c.name for c in centres}
        active = consent.active(db, me.applicant_id)
    return render_template("portal/consents.html", centres=centres, names=names, active=active,
                           hours=HOURS, real_name=me.applicant_id is not None)


@bp.post("/consents/<int:centre_id>/revoke")
@citizen_required
def revoke_consent(centre_id: int):
    q = quanke()
    try:
        with q.db.session() as db:
            done = consent.revoke(db, _me(), centre_id)
            db.commit()
        flash(_("已撤销授权") if done else _("该授权已失效或已撤销"), "success" if done else "warning")
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("portal.consents"))
