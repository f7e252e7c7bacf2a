"""Decoding images: JPEG/PNG/WebP bytes into RGB arrays (sizes checked before decoding), and
their brightness."""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.identity import FrameProblem, Settings

if TYPE_CHECKING:
    from core.identity.faces.detection import Face

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


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
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

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

