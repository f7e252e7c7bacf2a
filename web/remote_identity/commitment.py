"""The e-signature step (电子签名): the commitment page, the signing code, the signature (drawn
or typed) and the citizen's download of the signed letter."""
from __future__ import annotations

import base64
import binascii

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from core.identity.esign import commitment_for, sign_commitment, signed_commitment
from core.identity.sms import send_identity_code
from core.identity.steps import OPEN_STATES
from core.platform.errors import QuankeError

from ..common import load_app
from ..helpers import flash_error, quanke
from ..identity import citizen_required
from .blueprint import DATA_URL_PREFIX, _client_ip, _draft, _me, bp


@bp.get("/portal/applications/<int:app_id>/identity/esign")
@citizen_required
def esign(app_id: int):
    app, service = _draft(app_id, "esign")
    passed = "esign" in (app.identity_passed or [])
    face_first = "face" in service.identity and "face" not in (app.identity_passed or [])
    return render_template("portal/identity_esign.html", app=app, service=service, passed=passed,
                           open=app.state in OPEN_STATES, face_first=face_first,
                           commitment=commitment_for(quanke(), app_id), sent=request.args.get("sent"),
                           name=(_me().applicant.name if _me().applicant else ""))


@bp.post("/portal/applications/<int:app_id>/identity/esign/send")
@citizen_required
def esign_send(app_id: int):
    _draft(app_id, "esign")
    try:
        sent = send_identity_code(quanke(), _me(), app_id, purpose="esign")
        flash(_("签署验证码已发送至 %(phone)s，5分钟内有效", phone=sent["phone_masked"]), "success")
        return redirect(url_for("remote_identity.esign", app_id=app_id, sent=1))
    except QuankeError as exc:
        flash_error(exc)
    return redirect(url_for("remote_identity.esign", app_id=app_id))


def _signature_png() -> bytes | None:
    """The drawn signature: the canvas as a PNG data URL (hidden field) or an uploaded PNG."""
    raw = request.form.get("signature_data") or ""
    if raw:
        if not raw.startswith(DATA_URL_PREFIX):
            return b"not a png"  # the core refuses it with a clear message (signature_invalid)
        try:
            return base64.b64decode(raw[len(DATA_URL_PREFIX):], validate=True)
        except (binascii.Error, ValueError):
            return b"not a png"
    upload = request.files.get("signature")
    return upload.read() if upload else None


@bp.post("/portal/applications/<int:app_id>/identity/esign")
@citizen_required
def esign_sign(app_id: int):
    _draft(app_id, "esign")
    method = request.form.get("method", "draw")
    png = _signature_png() if method == "draw" else None
    typed = (request.form.get("typed_name") or "").strip() if method == "typed" else None
    try:
        sign_commitment(quanke(), _me(), app_id, text_sha256=request.form.get("text_sha256", ""),
                        sms_code=(request.form.get("code") or "").strip(),
                        signature_png=png, typed_name=typed, ip=_client_ip())
    except QuankeError as exc:
        flash_error(exc)
        return redirect(url_for("remote_identity.esign", app_id=app_id, sent=1))
    flash(_("承诺书签署完成"), "success")
    return redirect(url_for("portal.identity", app_id=app_id))


@bp.get("/portal/applications/<int:app_id>/identity/commitment.pdf")
@citizen_required
def commitment_pdf(app_id: int):
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        number = app.number
    try:
        data, _summary = signed_commitment(quanke(), _me(), app_id)
    except QuankeError as exc:
        if exc.http_status == 404:
            abort(404)
        raise
    from io import BytesIO
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=False,
                     download_name=f"commitment-{number}.pdf")
