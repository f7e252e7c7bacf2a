"""One frame: quality and detection in order (:func:`check_frame`), and a single reference
photo checked and encoded (:func:`encode_photo`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.identity import FrameProblem, Settings
from core.identity.faces.detection import Face, detect, encode, find_faces, find_near, landmarks
from core.identity.faces.images import Image, brightness, load_image


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
