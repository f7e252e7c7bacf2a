"""The ``remote_identity`` blueprint and what its pages share: the page's names for a check's
outcome and reasons, the citizen's own draft for a step, JSON errors for the page's script."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.platform.errors import QuankeError

from ..common import load_app
from ..helpers import error_text, quanke

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
    "no_reference": _l("还没有您的登记照片：请带身份证到任一便民服务中心，请工作人员为您做“人像登记”（现场拍照，几分钟即可），登记后回到本页重新核验"),
    "service_error": _l("核验服务暂时出现问题，请重新核验（本次不计入次数）"),
}
#: The headline of a check that found no enrolled portrait (instead of 核验服务异常).
NO_PORTRAIT = _l("尚未登记人像")
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



def _labels(status: dict) -> dict:
    """The core's Chinese status label and reasons, in the page's language. A check that found
    no enrolled portrait is no service fault: it says what to do next (enrol at a counter)."""
    out = dict(status)
    out["status_label"] = str(STATUS_NAMES.get(status["status"], status["status_label"]))
    out["enrol_first"] = any(r["code"] == "no_reference" for r in status["reasons"])
    if out["enrol_first"]:
        out["status_label"] = str(NO_PORTRAIT)
    out["reasons"] = [{"code": r["code"], "message": str(REASON_TEXT.get(r["code"], r["message"]))}
                      for r in status["reasons"]]
    return out
