"""Face (人脸识别): the citizen's camera page, the burst (or one uploaded photo) sent for a
check, and the status the page polls."""
from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.identity import settings
from core.identity.steps import OPEN_STATES
from core.identity.verification import attempts_left, face_check_status, start_face_check
from core.platform.errors import QuankeError

from ..helpers import flash_error, quanke
from ..identity import citizen_required
from .blueprint import (
    BURST_FRAMES,
    BURST_INTERVAL_MS,
    _client_ip,
    _draft,
    _error_json,
    _labels,
    _me,
    _wants_json,
    bp,
)


def _result(app_id: int, status: dict) -> dict:
    """The check as the page shows it, with the attempts left once it is over."""
    out = _labels(status)
    if out["reasons"] and status["message"] == status["reasons"][0]["message"]:
        out["message"] = out["reasons"][0]["message"]
    elif status["passed"]:
        out["message"] = _("核验通过") if status.get("review") is None else _("工作人员视频核验通过")
    elif not status["done"]:
        out["message"] = _("正在核验，请稍候")
    out["poll_url"] = url_for("remote_identity.face_status", check_id=status["id"])
    out["next_url"] = url_for("portal.identity", app_id=app_id)
    if status["done"]:
        out["attempts"] = attempts_left(quanke(), _me(), app_id, ip=_client_ip())
    return out


@bp.get("/portal/applications/<int:app_id>/identity/face")
@citizen_required
def face(app_id: int):
    app, service = _draft(app_id, "face")
    attempts = attempts_left(quanke(), _me(), app_id, ip=_client_ip())
    shown = None
    check_id = request.args.get("check", type=int)
    if check_id:
        try:
            shown = _result(app_id, face_check_status(quanke(), _me(), check_id))
        except QuankeError as exc:
            flash_error(exc)
    passed = "face" in (app.identity_passed or [])
    return render_template("portal/identity_face.html", app=app, service=service, attempts=attempts,
                           shown=shown, passed=passed, open=app.state in OPEN_STATES,
                           frames=min(BURST_FRAMES, settings(quanke()).face_max_frames),
                           interval_ms=BURST_INTERVAL_MS)


@bp.post("/portal/applications/<int:app_id>/identity/face")
@citizen_required
def face_upload(app_id: int):
    """The burst (``frames``, several JPEGs; ``mode=camera``) from the camera page, or one photo
    (``mode=upload``) from the fallback form. JSON for the page's script, a redirect otherwise."""
    _draft(app_id, "face")
    mode = request.form.get("mode", "camera")
    frames = [f.read() for f in request.files.getlist("frames") if f and f.filename is not None]
    frames = [f for f in frames if f]
    try:
        status = start_face_check(quanke(), _me(), app_id, frames, ip=_client_ip(), mode=mode)
    except QuankeError as exc:
        if _wants_json():
            return _error_json(exc)
        flash_error(exc)
        return redirect(url_for("remote_identity.face", app_id=app_id))
    if _wants_json():
        return jsonify(_result(app_id, status)), 200 if status["done"] else 202
    return redirect(url_for("remote_identity.face", app_id=app_id, check=status["id"]))


@bp.get("/portal/identity/checks/<int:check_id>")
@citizen_required
def face_status(check_id: int):
    """Polled by the camera page until ``done``; polling also re-queues a check whose worker died."""
    try:
        status = face_check_status(quanke(), _me(), check_id)
    except QuankeError as exc:
        return _error_json(exc)
    return jsonify(_result(status["application_id"], status))
