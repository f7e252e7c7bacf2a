"""The phone step (手机短信验证): the page, sending a code, confirming it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.identity.sms import confirm_phone, send_identity_code
from core.identity.steps import OPEN_STATES
from core.platform.errors import QuankeError

from ..helpers import flash_error, quanke
from ..identity import citizen_required
from .blueprint import _draft, _me, bp


@bp.get("/portal/applications/<int:app_id>/identity/sms")
@citizen_required
def sms(app_id: int):
    app, service = _draft(app_id, "sms")
    return render_template("portal/identity_sms.html", app=app, service=service,
                           passed="sms" in (app.identity_passed or []), open=app.state in OPEN_STATES,
                           sent=request.args.get("sent"))


@bp.post("/portal/applications/<int:app_id>/identity/sms/send")
@citizen_required
def sms_send(app_id: int):
    _draft(app_id, "sms")
    try:
        sent = send_identity_code(quanke(), _me(), app_id, purpose="sms")
        flash(_("验证码已发送至 %(phone)s，5分钟内有效", phone=sent["phone_masked"]), "success")
        return redirect(url_for("remote_identity.sms", app_id=app_id, sent=1))
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("remote_identity.sms", app_id=app_id))


@bp.post("/portal/applications/<int:app_id>/identity/sms")
@citizen_required
def sms_confirm(app_id: int):
    _draft(app_id, "sms")
    try:
        confirm_phone(quanke(), _me(), app_id, (request.form.get("code") or "").strip())
    except QuankeError as exc:
        flash_error(exc)
        return redirect(url_for("remote_identity.sms", app_id=app_id, sent=1))
    flash(_("手机号码验证通过"), "success")
    return redirect(url_for("portal.identity", app_id=app_id))
