"""Faces: decoding and checking images, detection, landmarks, 128-d encodings, distance.

Pure functions over bytes and arrays (no database). The engine is the one
``face_recognition`` wraps: dlib's HOG face detector, its 68- and 5-point landmark
predictors and its ResNet face encoder, with the model files of ``face_recognition_models``.
It is built here straight from dlib (same calls, same numbers as ``face_recognition``), which
spares the ``face_recognition`` package's side effects: it ``quit()``s the process when the
models are missing, sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process,
loads a CNN detector we do not use, and pins ``dlib`` (a source build) as a dependency.
The model files are found without importing ``face_recognition_models`` (whose
``__init__`` needs ``pkg_resources``), or in ``$QUANKE_FACE_MODELS_DIR``.

Loading takes about a second (the 68-point model alone is 100 MB), so call :func:`preload`
in long-lived processes before they fork (rq forks one work-horse per job).

Distances are Euclidean between encodings (``face_recognition.face_distance``); lower means
more alike. The decision bands come from :func:`core.identity.settings`.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from core.identity import ENCODING_MODEL, FaceEngineMissing, FrameProblem, Settings

ENCODING_DIM = 128
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MODELS_ENV = "QUANKE_FACE_MODELS_DIR"
MODEL_FILES = {
    "pose_predictor_68_point": "shape_predictor_68_face_landmarks.dat",
    "pose_predictor_5_point": "shape_predictor_5_face_landmarks.dat",
    "face_encoder": "dlib_face_recognition_resnet_model_v1.dat",
}

#: 68-point landmark indices, named as ``face_recognition.face_landmarks`` names them.
LANDMARK_SLICES = {
    "chin": (0, 17), "left_eyebrow": (17, 22), "right_eyebrow": (22, 27),
    "nose_bridge": (27, 31), "nose_tip": (31, 36), "left_eye": (36, 42), "right_eye": (42, 48),
    "top_lip": (48, 55), "bottom_lip": (55, 60),
}
_MISSING = "人脸识别组件未安装（pip install 'quanke[face]'），暂时无法进行人脸核验"


# --------------------------------------------------------------------------- engine


@dataclass(frozen=True)
class Engine:
    """The four dlib objects, named as in ``face_recognition.api``."""

    face_detector: Any
    pose_predictor_68_point: Any
    pose_predictor_5_point: Any
    face_encoder: Any


def models_dir() -> Path:
    """Where the ``.dat`` model files are: ``$QUANKE_FACE_MODELS_DIR`` or the
    ``face_recognition_models`` package's ``models/`` folder (found without importing it)."""
    configured = os.environ.get(MODELS_ENV)
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceEngineMissing(_MISSING, details={"missing": "face_recognition_models"})
    return Path(list(spec.submodule_search_locations)[0]) / "models"


@functools.lru_cache(maxsize=1)
def engine() -> Engine:
    """The detector, landmark predictors and encoder, loaded once per process."""
    try:
        import dlib
    except ImportError:
        raise FaceEngineMissing(_MISSING, details={"missing": "dlib"}) from None
    folder = models_dir()
    paths = {name: folder / file for name, file in MODEL_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FaceEngineMissing(_MISSING, details={"missing": missing})
    return Engine(face_detector=dlib.get_frontal_face_detector(),
                  pose_predictor_68_point=dlib.shape_predictor(str(paths["pose_predictor_68_point"])),
                  pose_predictor_5_point=dlib.shape_predictor(str(paths["pose_predictor_5_point"])),
                  face_encoder=dlib.face_recognition_model_v1(str(paths["face_encoder"])))


def available() -> bool:
    try:
        engine()
        return True
    except FaceEngineMissing:
        return False


def preload() -> bool:
    """Load the models — and import the modules the verification job runs — now, in a worker's
    parent process before it forks work-horses, so no job pays for them; False if missing."""
    from core.identity import enrolment, verification  # noqa: F401
    return available()


# --------------------------------------------------------------------------- images


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Image:
    """A decoded frame: RGB uint8 array plus what was learnt while decoding."""

    pixels: np.ndarray
    format: str
    content_type: str
    sha256: str
    size: int

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def load_image(data: bytes, s: Settings) -> Image:
    """Decode JPEG/PNG/WebP bytes into RGB, refusing what cannot or should not be decoded.

    The byte size and the pixel dimensions are checked *before* decoding, so an oversized
    file or a decompression bomb costs nothing. EXIF orientation is applied (phones).
    """
    from PIL import Image as PILImage, ImageOps, UnidentifiedImageError

    if not isinstance(data, (bytes, bytearray, memoryview)) or not len(data):
        raise FrameProblem("invalid_image", "empty")
    data = bytes(data)
    if len(data) > s.face_max_frame_bytes:
        raise FrameProblem("file_too_large", f"{len(data)} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            im = PILImage.open(io.BytesIO(data))
            fmt = im.format or ""
            if fmt not in ACCEPTED_FORMATS:
                raise FrameProblem("invalid_image", f"format {fmt or 'unknown'}")
            width, height = im.size
            if max(width, height) > s.face_max_image_side:
                raise FrameProblem("image_too_large", f"{width}x{height}")
            if min(width, height) < s.face_min_image_side:
                raise FrameProblem("image_too_small", f"{width}x{height}")
            if max(width, height) > s.face_work_side:
                # A 12-megapixel phone photo: analyse it at working size (a face of 80 px
                # stays findable) — memory and detection time grow with the pixels.
                im.draft("RGB", (s.face_work_side, s.face_work_side))  # JPEG: decode at 1/2, 1/4…
                im.thumbnail((s.face_work_side, s.face_work_side), PILImage.Resampling.BILINEAR)
            im = ImageOps.exif_transpose(im)
            if im.mode != "RGB":
                if "A" in im.getbands() or im.mode == "P":
                    im = im.convert("RGBA")
                    white = PILImage.new("RGBA", im.size, (255, 255, 255, 255))
                    im = PILImage.alpha_composite(white, im)
                im = im.convert("RGB")
            pixels = np.asarray(im, dtype=np.uint8)
    except FrameProblem:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Warning,
            PILImage.DecompressionBombError) as exc:
        raise FrameProblem("invalid_image", type(exc).__name__) from None
    return Image(np.ascontiguousarray(pixels), fmt, ACCEPTED_FORMATS[fmt], sha256(data), len(data))


def luma(pixels: np.ndarray) -> np.ndarray:
    return pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114


def brightness(pixels: np.ndarray, box: "Face | None" = None) -> float:
    """Mean luma (0–255) of the image, or of the face box when given."""
    if box is not None:
        pixels = pixels[max(box.top, 0):max(box.bottom, 0), max(box.left, 0):max(box.right, 0)]
    if pixels.size == 0:
        return 0.0
    step = max(1, int(max(pixels.shape[:2]) // 320))  # subsample big frames: the mean is stable
    return float(luma(pixels[::step, ::step].astype(np.float32)).mean())


# --------------------------------------------------------------------------- detection


@dataclass
class Face:
    left: int
    top: int
    right: int
    bottom: int
    score: float
    rect: Any = field(default=None, repr=False, compare=False)

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def as_dict(self) -> dict:
        return {"left": self.left, "top": self.top, "right": self.right, "bottom": self.bottom,
                "score": round(self.score, 3)}


def _resized(pixels: np.ndarray, scale: float) -> np.ndarray:
    from PIL import Image as PILImage
    h, w = pixels.shape[:2]
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    return np.asarray(PILImage.fromarray(pixels).resize(size, PILImage.Resampling.BILINEAR))


def detect(pixels: np.ndarray, s: Settings, *, upsample: int | None = None, scale: float = 1.0,
           origin: tuple[int, int] = (0, 0), full: tuple[int, int] | None = None) -> list[Face]:
    """Faces found by the HOG detector with a score of at least ``FACE_DETECTION_MIN_SCORE``,
    largest first. Weak detections are dropped: on the astronaut test photo, the mission patch
    on the suit scores 0.05–0.10 against 1.5 for the face.

    With ``scale`` < 1 the detector runs on a scaled-down copy (its cost grows with the
    pixels) and the boxes are scaled back; ``origin`` places a crop's boxes in the frame of
    size ``full`` (height, width)."""
    import dlib
    api = engine()
    times = s.face_upsample if upsample is None else upsample
    work = pixels if scale == 1.0 else _resized(pixels, scale)
    rects, scores, _ = api.face_detector.run(work, times, 0.0)
    h, w = full or pixels.shape[:2]
    ox, oy = origin
    faces = []
    for r, score in zip(rects, scores):
        if score < s.face_detection_min_score:
            continue
        if scale == 1.0 and origin == (0, 0):
            rect = r
        else:
            rect = dlib.rectangle(int(round(r.left() / scale)) + ox, int(round(r.top() / scale)) + oy,
                                  int(round(r.right() / scale)) + ox, int(round(r.bottom() / scale)) + oy)
        faces.append(Face(max(rect.left(), 0), max(rect.top(), 0), min(rect.right(), w),
                          min(rect.bottom(), h), float(score), rect))
    return sorted(faces, key=lambda f: f.width * f.height, reverse=True)


def find_faces(pixels: np.ndarray, s: Settings) -> list[Face]:
    """The first detection pass: on the frame scaled by ``FACE_DETECT_SCALE`` (a 640×480 frame
    costs about a third), then — only when nothing was found there — at full size, where
    faces down to ~80 px are seen."""
    scale = s.face_detect_scale
    if 0 < scale < 1 and min(pixels.shape[:2]) * scale >= 80:
        faces = detect(pixels, s, scale=scale)
        if faces:
            return faces
    return detect(pixels, s)


def find_near(pixels: np.ndarray, near: Face, s: Settings) -> list[Face] | None:
    """Track a face from the previous frame of a burst: search only a region around its box
    (half a face width on each side), scaled so the face is about 100 px. None when the region
    shows no face (the caller then searches the whole frame)."""
    h, w = pixels.shape[:2]
    pad = max(near.width, near.height) // 2
    left, top = max(near.left - pad, 0), max(near.top - pad, 0)
    right, bottom = min(near.right + pad, w), min(near.bottom + pad, h)
    if right - left < 40 or bottom - top < 40:
        return None
    scale = min(1.0, 100 / max(near.width, 1))
    faces = detect(pixels[top:bottom, left:right], s, scale=scale, origin=(left, top), full=(h, w))
    return faces or None


def landmarks(pixels: np.ndarray, face: Face) -> dict[str, list[tuple[int, int]]]:
    """The 68 landmarks of ``face`` as ``face_recognition.face_landmarks`` returns them."""
    api = engine()
    shape = api.pose_predictor_68_point(pixels, face.rect)
    points = [(p.x, p.y) for p in shape.parts()]
    return {name: points[a:b] for name, (a, b) in LANDMARK_SLICES.items()}


def encode(pixels: np.ndarray, face: Face, *, jitters: int = 1) -> np.ndarray:
    """The 128-d encoding of ``face`` (5-point alignment, as ``face_recognition`` does by default)."""
    api = engine()
    shape = api.pose_predictor_5_point(pixels, face.rect)
    return np.asarray(api.face_encoder.compute_face_descriptor(pixels, shape, max(1, int(jitters))),
                      dtype=np.float64)


def face_signature(pixels: np.ndarray, face: Face, size: int = 64) -> np.ndarray:
    """A cheap fingerprint of one face for comparing frames of a burst with each other: the
    face aligned on 5 landmarks (as for encoding), grey, 64×64, mean-free and unit length, so
    the dot product of two is their correlation. About 1 ms, against ~80 ms for an encoding.
    Measured on the test faces: the same face re-lit, moved, rescaled or with closed eyes
    0.89–0.998; 35 different faces at most 0.44 (median 0.13)."""
    import dlib
    api = engine()
    shape = api.pose_predictor_5_point(pixels, face.rect)
    chip = dlib.get_face_chip(pixels, shape, size=size, padding=0.1)
    grey = (chip.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).ravel()
    grey -= grey.mean()
    return grey / (float(np.linalg.norm(grey)) or 1.0)


# --------------------------------------------------------------------------- comparison


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Euclidean distance between two encodings (``face_recognition.face_distance``)."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def nearest(references: Iterable[Sequence[float]], probe: Sequence[float]) -> float | None:
    """Distance from ``probe`` to the closest reference (a person may have several)."""
    values = [distance(ref, probe) for ref in references]
    return min(values) if values else None


def decide(value: float | None, s: Settings) -> str:
    """``"match"`` (≤ match threshold), ``"review"`` (in the band) or ``"no_match"``."""
    if value is None:
        return "no_match"
    if value <= s.face_match_distance:
        return "match"
    if value <= s.face_review_distance:
        return "review"
    return "no_match"


def to_bytes(encoding: Sequence[float]) -> bytes:
    array = np.asarray(encoding, dtype="<f8")
    if array.shape != (ENCODING_DIM,):
        raise ValueError(f"an encoding has {ENCODING_DIM} values, not {array.shape}")
    return array.tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f8").copy()


# --------------------------------------------------------------------------- one frame


@dataclass
class FrameCheck:
    """What one image showed. ``problem`` is None when exactly one usable face was found."""

    width: int = 0
    height: int = 0
    brightness: float = 0.0
    faces: int = 0
    face: Face | None = None
    face_brightness: float | None = None
    problem: str | None = None
    landmarks: dict | None = field(default=None, repr=False)
    encoding: np.ndarray | None = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        return self.problem is None and self.face is not None

    def quality(self) -> dict:
        return {"width": self.width, "height": self.height,
                "brightness": round(self.brightness, 1),
                "face_px": self.face.width if self.face else None,
                "face_brightness": None if self.face_brightness is None else round(self.face_brightness, 1),
                "faces": self.faces}


def check_frame(image: Image, s: Settings, *, with_landmarks: bool = True,
                near: Face | None = None) -> FrameCheck:
    """Quality and detection for one decoded image (no encoding: see :func:`encode`).

    Order: whole image too dark → detection (a second pass with upsampling tells a face that
    is too small from no face at all) → one face only → face size → face brightness.
    ``near``: the face in the previous frame of a burst; only its surroundings are searched
    (:func:`find_near`), the whole frame only when the face is not there.
    """
    pixels = image.pixels
    result = FrameCheck(width=image.width, height=image.height, brightness=brightness(pixels))
    if result.brightness < s.face_min_brightness * 0.6:
        result.problem = "too_dark"
        return result
    faces = (find_near(pixels, near, s) if near is not None else None) or find_faces(pixels, s)
    if not faces and s.face_upsample == 0:
        small = detect(pixels, s, upsample=1)
        if small:
            result.faces, result.face = len(small), small[0]
            result.problem = "multiple_faces" if len(small) > 1 else "face_too_small"
            return result
    result.faces = len(faces)
    if not faces:
        result.problem = "too_dark" if result.brightness < s.face_min_brightness else "no_face"
        return result
    result.face = faces[0]
    if len(faces) > 1:
        result.problem = "multiple_faces"
        return result
    face = faces[0]
    if face.width < s.face_min_face_px:
        result.problem = "face_too_small"
        return result
    result.face_brightness = brightness(pixels, face)
    if result.face_brightness < s.face_min_brightness:
        result.problem = "too_dark"
    elif result.face_brightness > s.face_max_brightness:
        result.problem = "too_bright"
    elif with_landmarks:
        result.landmarks = landmarks(pixels, face)
    return result


def encode_photo(data: bytes, s: Settings, *, jitters: int | None = None) -> tuple[np.ndarray, FrameCheck, Image]:
    """Check a single reference photo and return its encoding; :class:`FrameProblem` if unusable."""
    image = load_image(data, s)
    check = check_frame(image, s, with_landmarks=False)
    if not check.usable:
        raise FrameProblem(check.problem or "no_face")
    check.encoding = encode(image.pixels, check.face,
                            jitters=s.face_enrol_jitters if jitters is None else jitters)
    return check.encoding, check, image


__all__ = ["ENCODING_MODEL", "FrameProblem", "Image", "Face", "FrameCheck", "Engine", "engine", "available",
           "models_dir",
           "preload", "load_image", "brightness", "detect", "find_faces", "find_near", "face_signature", "landmarks", "encode", "distance",
           "nearest", "decide", "to_bytes", "from_bytes", "check_frame", "encode_photo", "sha256"]
