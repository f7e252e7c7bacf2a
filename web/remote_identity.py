"""不见面审批的身份核验 — the remote identity steps in the web: the citizen's camera page (face),
the phone code (sms) and the signature on the commitment letter (esign), plus the counter's
video-check review (视频核验) of borderline face checks.

Views only translate HTTP into calls of :mod:`core.identity` (which checks ownership, state,
limits and audits every step through :mod:`core.workflow`); nothing here changes state itself.
Each endpoint is its own function so rate limits (Flask-Limiter) can decorate it.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from core.platform.errors import QuankeError
from core.identity import settings
from core.identity.enrolment import view_reference_photo
from core.identity.evidence import identity_evidence
from core.identity.esign import commitment_for, sign_commitment, signed_commitment
from core.identity.sms import confirm_phone, send_identity_code
from core.identity.steps import OPEN_STATES
from core.identity.verification import (EVIDENCE_ROLES, attempts_left, face_check_status,
                                        recent_checks, review_face_check, review_queue,
                                        start_face_check)
from core.platform.models import Application, Role

from .common import load_app
from .helpers import error_text, flash_error, quanke
from .identity import citizen_required, staff_required
from .portal import IDENTITY_STEP_NAMES, IDENTITY_STEP_ORDER

bp = Blueprint("remote_identity", __name__)

#: How the citizen's page names a check's outcome (the core's labels are Chinese only).
STATUS_NAMES = {"pending": _l("排队中"), "running": _l("核验中"), "passed": _l("通过"),
                "failed": _l("未通过"), "needs_review": _l("待工作人员视频核验"),
                "error": _l("核验服务异常")}
#: The core's reasons (core.identity.REASONS), wrapped so the English page gets English.
REASON_TEXT = {
    "invalid_image": _l("无法识别的图片，请重新拍摄"), "file_too_large": _l("图片文件太大，请重新拍摄"),
    "image_too_large": _l("图片尺寸太大，请重新拍摄"), "image_too_small": _l("图片太小，请靠近摄像头重新拍摄"),
    "too_many_frames": _l("上传的画面太多，请重新拍摄"), "no_frames": _l("没有收到照片，请重新拍摄"),
    "too_dark": _l("光线太暗，请到明亮的地方再试"), "too_bright": _l("光线太强，请避免逆光或强光直射"),
    "no_face": _l("没有检测到人脸"), "multiple_faces": _l("检测到多张人脸，请确保画面中只有您本人"),
    "face_too_small": _l("人脸太小，请靠近摄像头"), "face_lost": _l("请保持脸部一直在画面中"),
    "no_blink": _l("请眨眼"), "not_live": _l("请使用摄像头实时拍摄，并按提示眨眼"),
    "face_changed": _l("拍摄过程中画面里的人脸发生了变化，请重新拍摄"),
    "no_match": _l("人脸与登记照片不一致"),
    "needs_review": _l("系统无法确认是否为本人，请等待工作人员视频核验"),
    "no_reference": _l("没有找到您的登记照片，请携带身份证到任一便民服务中心登记人像"),
    "service_error": _l("核验服务暂时出现问题，请重新核验（本次不计入次数）"),
}
#: The camera page's burst: 12 frames 150 ms apart (≈1.7 s) hold one natural blink (100–400 ms).
BURST_FRAMES, BURST_INTERVAL_MS = 12, 150
DATA_URL_PREFIX = "data:image/png;base64,"


def _me():
    return current_user.model


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _client_ip() -> str:
    return request.remote_addr or ""


def _draft(app_id: int, step: str):
    """The citizen's own application and its service; 404 when it is not theirs or the
    service does not need ``step``."""
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        service = quanke().service(app.service_code)
        if step not in service.identity:
            abort(404)
        db.expunge(app)
    return app, service


def _error_json(exc: QuankeError):
    body = exc.to_dict()
    body["message"] = error_text(exc)
    return jsonify(body), exc.http_status


# -- face (人脸识别) ------------------------------------------------------------------------

def _labels(status: dict) -> dict:
    """The core's Chinese status label and reasons, in the page's language."""
    out = dict(status)
    out["status_label"] = str(STATUS_NAMES.get(status["status"], status["status_label"]))
    out["reasons"] = [{"code": r["code"], "message": str(REASON_TEXT.get(r["code"], r["message"]))}
                      for r in status["reasons"]]
    return out


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


# -- phone (手机短信验证) ------------------------------------------------------------------

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


# -- e-signature (电子签名) ----------------------------------------------------------------

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


# -- counter: video check of borderline results (视频核验) --------------------------------------

def _times(check: dict) -> dict:
    """The core gives ISO strings (UTC); the pages show Beijing time through ``local_time``."""
    out = _labels(check)
    for key in ("created_at", "finished_at"):
        out[key] = dt.datetime.fromisoformat(check[key]) if check.get(key) else None
    if check.get("review") and check["review"].get("at"):
        out["review"] = {**check["review"], "at": dt.datetime.fromisoformat(check["review"]["at"])}
    return out


@bp.get("/counter/identity/reviews")
@staff_required(Role.COUNTER)
def reviews():
    return render_template("counter/identity_reviews.html",
                           waiting=[_times(c) for c in review_queue(quanke(), _me())],
                           failed=[_times(c) for c in recent_checks(quanke(), _me(), statuses=("failed",),
                                                                    limit=30)])


@bp.get("/counter/identity/checks/<int:check_id>")
@staff_required(Role.COUNTER)
def review(check_id: int):
    try:
        check = face_check_status(quanke(), _me(), check_id)
    except QuankeError as exc:
        if exc.http_status == 404:
            abort(404)
        raise
    with quanke().db.session() as db:
        # Not load_app: a remote draft is not yet in the counter's view of applications, but
        # its borderline check is theirs to review (face_check_status checked the role).
        app = db.get(Application, check["application_id"])
        number, name = app.number, (app.applicant.name if app.applicant else "")
    return render_template("counter/identity_review.html", check=_times(check), number=number, name=name,
                           app_id=check["application_id"])


@bp.get("/counter/identity/applications/<int:app_id>")
@staff_required(*EVIDENCE_ROLES)
def evidence(app_id: int):
    """What the counter worker sees about a remote applicant's identity when accepting (核验证据):
    the steps, each face check's scores and the signature's summary — no photo."""
    with quanke().db.session() as db:
        app = load_app(db, app_id, _me())
        number, service = app.number, quanke().service(app.service_code)
    found = identity_evidence(quanke(), _me(), app_id)
    found["face_checks"] = [_times(c) for c in found["face_checks"]]
    found["steps"].sort(key=lambda s: (IDENTITY_STEP_ORDER + [s["step"]]).index(s["step"]))
    return render_template("counter/identity_evidence.html", evidence=found, number=number,
                           service=service, app_id=app_id, step_names=IDENTITY_STEP_NAMES)


@bp.post("/counter/identity/applications/<int:app_id>/commitment.pdf")
@staff_required(*EVIDENCE_ROLES)
def evidence_pdf(app_id: int):
    """The signed commitment letter (it shows the signature): a reason, audited in the core."""
    with quanke().db.session() as db:
        number = load_app(db, app_id, _me()).number
    reason = (request.form.get("reason") or "").strip()[:200]
    if not reason:
        flash(_("查看承诺书须说明理由"), "error")
        return redirect(url_for("remote_identity.evidence", app_id=app_id))
    try:
        data, _summary = signed_commitment(quanke(), _me(), app_id, reason=reason)
    except QuankeError as exc:
        if exc.http_status == 403:
            raise
        flash_error(exc)
        return redirect(url_for("remote_identity.evidence", app_id=app_id))
    from io import BytesIO
    response = send_file(BytesIO(data), mimetype="application/pdf", download_name=f"commitment-{number}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/counter/identity/checks/<int:check_id>/reference/<int:ref_id>")
@staff_required(Role.COUNTER)
def reference_photo(check_id: int, ref_id: int):
    """The reference photo the check was compared with, for the video call: needs a reason,
    and every look is an audit event (core.identity.enrolment.view_reference_photo)."""
    try:
        check = face_check_status(quanke(), _me(), check_id)
        if ref_id not in (check.get("reference_ids") or []):
            abort(404)
        data, content_type = view_reference_photo(quanke(), _me(), ref_id,
                                                  reason=request.form.get("reason", "")[:200])
    except QuankeError as exc:
        if exc.http_status == 403:
            raise
        flash_error(exc)
        return redirect(url_for("remote_identity.review", check_id=check_id))
    from io import BytesIO
    response = send_file(BytesIO(data), mimetype=content_type, as_attachment=False,
                         download_name=f"reference-{ref_id}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/counter/identity/checks/<int:check_id>")
@staff_required(Role.COUNTER)
def review_decide(check_id: int):
    decision = request.form.get("decision")
    if decision not in ("pass", "fail"):
        flash(_("请选择核验结论"), "error")
        return redirect(url_for("remote_identity.review", check_id=check_id))
    try:
        review_face_check(quanke(), _me(), check_id, passed=decision == "pass",
                          note=request.form.get("note", "")[:500])
    except QuankeError as exc:
        if exc.http_status == 404:
            abort(404)
        flash_error(exc)
        return redirect(url_for("remote_identity.review", check_id=check_id))
    flash(_("视频核验结论已记录"), "success")
    return redirect(url_for("remote_identity.reviews"))
