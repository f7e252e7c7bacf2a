"""Remote identity (不见面审批): face match with liveness, SMS code and e-signature.

A citizen applying from home proves who they are before a remote application may be
submitted (``ServiceDef.identity`` ⊆ {"face", "sms", "esign"}; :mod:`core.workflow` refuses
``submit_application`` until every required step passed). This package does the steps:

* :mod:`.faces` — detection, 128-d encodings, distance, image quality (pure functions).
* :mod:`.liveness` — eye-aspect-ratio blink detection over ``face_landmarks`` (pure).
* :mod:`.enrolment` — reference photos: the built-in local registry (counter enrolment,
  CSV + photo-folder import) and :func:`~.enrolment.identity_provider`.
* :mod:`.verification` — a burst of frames checked as an rq job (inline without Redis),
  attempt limits, results kept as evidence, borderline scores reviewed by a counter worker.
* :mod:`.sms` — the phone step (codes through :mod:`core.people.sms_login`).
* :mod:`.esign` — the signed commitment PDF, sealed by the platform.

Views call the plain functions listed in ``docs/identity.md``; nothing here knows Flask.
Configuration (all overridable as ``QUANKE_<NAME>`` or in the runtime's config) is read by
:func:`settings`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields

from core.platform.errors import QuankeError

#: Every identity setting with its default. The distances are calibrated in docs/identity.md.
DEFAULTS: dict = {
    # -- face match (Euclidean distance between 128-d encodings; lower = more alike) --------
    "FACE_MATCH_DISTANCE": 0.38,     # ≤ this: match. face_recognition's default 0.6 is too loose
    "FACE_REVIEW_DISTANCE": 0.50,    # (match, review]: a counter worker decides by video call
    # -- detection and quality ----------------------------------------------------------------
    "FACE_UPSAMPLE": 0,              # HOG detector upsampling for the first pass (0: faces ≥ ~80 px)
    "FACE_DETECTION_MIN_SCORE": 0.25,  # weaker HOG detections are ignored (badges, patterns)
    "FACE_DETECT_SCALE": 0.6,        # first detection pass on the frame scaled by this (cost ∝ pixels);
                                     # a face too small for it (< ~80/scale px) is looked for at full size
    "FACE_KEY_FRAME_EVERY": 3,       # in a burst, the whole frame is searched on every Nth frame (and
                                     # the last); the others only around the face of the previous one
    "FACE_MIN_FACE_PX": 80,          # face box width below this: "请靠近摄像头"
    "FACE_MIN_IMAGE_SIDE": 160,      # shorter image side below this: image too small
    "FACE_MAX_IMAGE_SIDE": 4096,     # longer side above this: refused (decompression bombs)
    "FACE_MAX_FRAME_BYTES": 4_000_000,
    "FACE_MAX_BURST_BYTES": 16_000_000,  # all frames of one check together
    "FACE_MAX_FRAMES": 20,
    "FACE_WORK_SIDE": 1280,          # larger images are scaled down before analysis
    "FACE_MIN_BRIGHTNESS": 60,       # mean luma (0–255) of the face; below: "光线太暗"
    "FACE_MAX_BRIGHTNESS": 225,      # above: "光线太强"
    "FACE_SAME_FACE_MIN": 0.6,       # consecutive frames' aligned face images must correlate this much
    "FACE_BURST_ENCODE_FRAMES": 2,   # frames of a burst compared with the reference (~80 ms each)
    "FACE_ENROL_JITTERS": 3,         # re-sampling when encoding a reference photo
    # -- liveness -------------------------------------------------------------------------------
    "FACE_MIN_BURST_FRAMES": 5,      # fewer frames cannot show open → closed → open
    "FACE_BLINK_DROP": 0.30,         # eyes "closed" when EAR falls this fraction below open level
    "FACE_MIN_OPEN_EAR": 0.15,       # an open-eye level below this means unusable landmarks
    "FACE_SHAPE_TOLERANCE": 0.12,    # face proportions may change this much in a blink frame
    "FACE_UPLOAD_REVIEW": True,      # a matching uploaded photo goes to a counter worker
    # -- limits, retention, jobs --------------------------------------------------------------
    "FACE_ATTEMPTS_PER_HOUR": 5,     # per person
    "FACE_ATTEMPTS_PER_IP_HOUR": 5,  # per client IP
    "FACE_PHOTO_RETENTION_DAYS": 90,  # raw reference photos; 0 = never keep the photo
    "FACE_JOB_LEASE_SECONDS": 60,    # a running check silent this long is presumed dead
    "FACE_JOB_MAX_RUNS": 3,          # runs of one check before it fails visibly
    "FACE_PENDING_TIMEOUT_SECONDS": 600,  # queued this long without starting: fails visibly
    # -- SMS and signature ----------------------------------------------------------------------
    "IDENTITY_SMS_PER_HOUR": 10,     # codes per phone per hour (on top of core.people.sms_login' 60 s)
    "ESIGN_MAX_SIGNATURE_BYTES": 300_000,
    "PLATFORM_SEAL_CODE": "platform",
    "PLATFORM_SEAL_NAME": "全科政务服务平台",
}


@dataclass(frozen=True)
class Settings:
    face_match_distance: float
    face_review_distance: float
    face_upsample: int
    face_detection_min_score: float
    face_detect_scale: float
    face_key_frame_every: int
    face_min_face_px: int
    face_min_image_side: int
    face_max_image_side: int
    face_max_frame_bytes: int
    face_max_burst_bytes: int
    face_max_frames: int
    face_work_side: int
    face_min_brightness: float
    face_max_brightness: float
    face_same_face_min: float
    face_burst_encode_frames: int
    face_enrol_jitters: int
    face_min_burst_frames: int
    face_blink_drop: float
    face_min_open_ear: float
    face_shape_tolerance: float
    face_upload_review: bool
    face_attempts_per_hour: int
    face_attempts_per_ip_hour: int
    face_photo_retention_days: int
    face_job_lease_seconds: int
    face_job_max_runs: int
    face_pending_timeout_seconds: int
    identity_sms_per_hour: int
    esign_max_signature_bytes: int
    platform_seal_code: str
    platform_seal_name: str

    def thresholds(self) -> dict:
        return {"match": self.face_match_distance, "review": self.face_review_distance}


def _coerce(default, raw):
    if isinstance(default, bool):
        return str(raw).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def settings(quanke=None, environ: dict | None = None) -> Settings:
    """The identity settings: defaults ← ``QUANKE_<NAME>`` environment ← runtime config.

    Invalid combinations (review band below the match threshold) are a start-up error.
    """
    environ = os.environ if environ is None else environ
    config = getattr(quanke, "config", None) or {}
    values = {}
    for key, default in DEFAULTS.items():
        if key in config and config[key] is not None:
            value = config[key]
        elif environ.get(f"QUANKE_{key}"):
            value = environ[f"QUANKE_{key}"]
        else:
            value = default
        values[key.lower()] = _coerce(default, value) if isinstance(value, str) else value
    result = Settings(**{f.name: values[f.name] for f in fields(Settings)})
    if not 0 < result.face_match_distance <= result.face_review_distance < 1.5:
        raise QuankeError("人脸比对阈值配置错误：须满足 0 < FACE_MATCH_DISTANCE ≤ FACE_REVIEW_DISTANCE",
                          code="identity_config_invalid")
    return result


#: Reasons a citizen sees, by stable code (the API returns both).
REASONS: dict[str, str] = {
    "invalid_image": "无法识别的图片，请重新拍摄",
    "file_too_large": "图片文件太大，请重新拍摄",
    "image_too_large": "图片尺寸太大，请重新拍摄",
    "image_too_small": "图片太小，请靠近摄像头重新拍摄",
    "too_many_frames": "上传的画面太多，请重新拍摄",
    "no_frames": "没有收到照片，请重新拍摄",
    "too_dark": "光线太暗，请到明亮的地方再试",
    "too_bright": "光线太强，请避免逆光或强光直射",
    "no_face": "没有检测到人脸",
    "multiple_faces": "检测到多张人脸，请确保画面中只有您本人",
    "face_too_small": "人脸太小，请靠近摄像头",
    "face_lost": "请保持脸部一直在画面中",
    "no_blink": "请眨眼",
    "not_live": "请使用摄像头实时拍摄，并按提示眨眼",
    "face_changed": "拍摄过程中画面里的人脸发生了变化，请重新拍摄",
    "no_match": "人脸与登记照片不一致",
    "needs_review": "系统无法确认是否为本人，请等待工作人员视频核验",
    "no_reference": "还没有您的登记照片：请带身份证到任一便民服务中心，请工作人员为您做“人像登记”（现场拍照，几分钟即可），登记后回到本页重新核验",
    "service_error": "核验服务暂时出现问题，请重新核验（本次不计入次数）",
}


class IdentityError(QuankeError):
    code = "identity_error"
    http_status = 400


class TooManyAttempts(IdentityError):
    """Attempt limit reached; ``details["retry_after"]`` is the wait in seconds."""

    code = "too_many_attempts"
    http_status = 429


class FaceEngineMissing(IdentityError):
    code = "face_engine_missing"
    http_status = 503


class FrameProblem(Exception):
    """An image that cannot be checked; ``code`` is a key of :data:`REASONS`."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


#: The encoder behind every stored encoding (kept on each reference row).
ENCODING_MODEL = "dlib_face_recognition_resnet_model_v1"


def faces_module():
    """:mod:`core.identity.faces`, or :class:`FaceEngineMissing` when numpy/dlib are absent."""
    try:
        from core.identity import faces
    except ImportError as exc:
        raise FaceEngineMissing("人脸识别组件未安装（pip install 'quanke[face]'），暂时无法进行人脸核验",
                                details={"missing": getattr(exc, "name", "") or str(exc)}) from None
    return faces


def reason(code: str) -> str:
    return REASONS.get(code, code)


__all__ = ["DEFAULTS", "REASONS", "Settings", "settings", "reason", "IdentityError",
           "TooManyAttempts", "FaceEngineMissing", "FrameProblem", "ENCODING_MODEL"]
