"""Test faces without a network: pictures shipped inside scikit-image, made into frames.

``skimage.data.astronaut()`` (Eileen Collins, bundled PNG) is the "same person";
``skimage.data.lfw_subset()`` (bundled ``lfw_subset.npy``: 100 faces of 25×25 pixels, then
100 non-faces) gives "different persons" once upscaled. A blink is made by painting the
astronaut's eyes shut where the 68-point landmarks put them.

For tests and benchmarks only (needs ``scikit-image`` and the face engine).
"""
from __future__ import annotations

import functools
import io

import numpy as np

FRAME_SIZE = (640, 480)


def encode_image(pixels: np.ndarray, fmt: str = "JPEG", quality: int = 90) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    image = Image.fromarray(np.asarray(pixels, dtype=np.uint8))
    if fmt == "JPEG":
        image.save(out, fmt, quality=quality)
    else:
        image.save(out, fmt)
    return out.getvalue()


def jpeg(pixels: np.ndarray, quality: int = 90) -> bytes:
    return encode_image(pixels, "JPEG", quality)


def png(pixels: np.ndarray) -> bytes:
    return encode_image(pixels, "PNG")


@functools.lru_cache(maxsize=1)
def _astronaut() -> np.ndarray:
    from skimage import data
    return data.astronaut()


def astronaut_photo() -> np.ndarray:
    """The whole 512×512 picture (its mission patch fools a lenient HOG detector)."""
    return _astronaut().copy()


@functools.lru_cache(maxsize=1)
def _frame() -> np.ndarray:
    from PIL import Image
    head = _astronaut()[0:330, 60:460]           # head and shoulders, patch excluded
    big = np.asarray(Image.fromarray(head).resize((640, 528), Image.BICUBIC))
    return np.ascontiguousarray(big[24:504])     # 640×480, face about 150 px wide


def astronaut_frame() -> np.ndarray:
    """A 640×480 webcam-like frame of the astronaut's head and shoulders."""
    return _frame().copy()


def fit(pixels: np.ndarray, size: tuple[int, int] = FRAME_SIZE, fill: int = 128) -> np.ndarray:
    """Centre ``pixels`` on a canvas of ``size`` (crop or pad)."""
    w, h = size
    out = np.full((h, w, 3), fill, dtype=np.uint8)
    ph, pw = pixels.shape[:2]
    sy, sx = max((ph - h) // 2, 0), max((pw - w) // 2, 0)
    dy, dx = max((h - ph) // 2, 0), max((w - pw) // 2, 0)
    ch, cw = min(h, ph), min(w, pw)
    out[dy:dy + ch, dx:dx + cw] = pixels[sy:sy + ch, sx:sx + cw]
    return out


def rescaled(pixels: np.ndarray, factor: float) -> np.ndarray:
    from PIL import Image
    h, w = pixels.shape[:2]
    image = Image.fromarray(pixels).resize((max(1, int(w * factor)), max(1, int(h * factor))), Image.BICUBIC)
    return np.asarray(image)


def shifted(pixels: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Moved by (dx, dy) pixels, edges repeated."""
    padded = np.pad(pixels, ((abs(dy), abs(dy)), (abs(dx), abs(dx)), (0, 0)), mode="edge")
    h, w = pixels.shape[:2]
    y0, x0 = abs(dy) - dy, abs(dx) - dx
    return np.ascontiguousarray(padded[y0:y0 + h, x0:x0 + w])


def relit(pixels: np.ndarray, gain: float, gamma: float = 1.0) -> np.ndarray:
    values = (pixels.astype(np.float32) / 255.0) ** gamma * gain
    return (np.clip(values, 0, 1) * 255).round().astype(np.uint8)


def squashed(pixels: np.ndarray, factor: float) -> np.ndarray:
    """Vertically compressed as a photo tilted away from the camera looks (same frame size)."""
    from PIL import Image
    h, w = pixels.shape[:2]
    small = np.asarray(Image.fromarray(pixels).resize((w, max(1, int(h * factor))), Image.BICUBIC))
    return fit(small, (w, h), fill=int(pixels.mean()))


def closed_eyes(pixels: np.ndarray) -> np.ndarray:
    """The same frame with both eyes painted shut (skin over the eye, a dark lash line)."""
    from PIL import Image, ImageDraw, ImageFilter

    from core.identity import settings
    from core.identity.faces import check_frame, load_image

    check = check_frame(load_image(png(pixels), settings()), settings())
    if not check.usable:
        raise ValueError(f"no usable face to close the eyes of: {check.problem}")
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    for name in ("left_eye", "right_eye"):
        eye = np.asarray(check.landmarks[name], dtype=float)
        cx, cy = eye.mean(axis=0)
        w = eye[:, 0].max() - eye[:, 0].min()
        h = max(eye[:, 1].max() - eye[:, 1].min(), 2)
        skin = tuple(int(c) for c in pixels[int(cy + h * 1.8), int(cx)])
        draw.ellipse([cx - w * 0.75, cy - h * 1.6, cx + w * 0.75, cy + h * 1.3], fill=skin)
        draw.line([(eye[0][0], cy + 1), (eye[3][0], cy + 1)], fill=(60, 40, 35), width=2)
    return np.asarray(image.filter(ImageFilter.GaussianBlur(0.8)))


@functools.lru_cache(maxsize=1)
def _closed() -> np.ndarray:
    return closed_eyes(_frame())


def blink_burst(count: int = 10, *, closed_at: tuple[int, ...] = (4, 5), fmt: str = "JPEG") -> list[bytes]:
    """A burst with the eyes open, shut at ``closed_at``, open again; the head moves a few
    pixels between frames as a real one does."""
    frames = []
    rng = np.random.default_rng(7)
    for i in range(count):
        base = _closed() if i in closed_at else _frame()
        dx, dy = (int(v) for v in rng.integers(-3, 4, size=2))
        frames.append(encode_image(shifted(base, dx, dy), fmt))
    return frames


def identical_burst(count: int = 10) -> list[bytes]:
    """The same picture again and again (a still photo held to the camera, or a replayed file)."""
    frame = jpeg(_frame())
    return [frame] * count


def still_photo_burst(count: int = 10) -> list[bytes]:
    """A printed photo moved about in front of the camera: shifts, no blink."""
    rng = np.random.default_rng(11)
    return [jpeg(shifted(_frame(), *(int(v) for v in rng.integers(-6, 7, size=2)))) for _ in range(count)]


def tilted_photo_burst(count: int = 10) -> list[bytes]:
    """A printed photo tilted back and forth: the eyes flatten with the whole face."""
    frames = []
    for i in range(count):
        factor = 0.85 if i in (4, 5) else 1.0
        frames.append(jpeg(squashed(_frame(), factor)))
    return frames


def two_faces() -> np.ndarray:
    """Two faces side by side in one 640×480 frame."""
    head = _astronaut()[60:200, 160:290]         # the face, about 130×140
    left = rescaled(head, 1.5)
    right = left[:, ::-1]
    canvas = np.full((480, 640, 3), 200, dtype=np.uint8)
    h, w = left.shape[:2]
    canvas[100:100 + h, 40:40 + w] = left
    canvas[100:100 + h, 600 - w:600] = right
    return canvas


def small_face() -> np.ndarray:
    """The astronaut far from the camera: a face of about 55 px in a 640×480 frame."""
    return fit(rescaled(_frame(), 0.38), FRAME_SIZE, fill=180)


def blank(width: int = 640, height: int = 480, value: int = 128) -> np.ndarray:
    return np.full((height, width, 3), value, dtype=np.uint8)


def landscape() -> np.ndarray:
    """A picture with no face in it (the coffee cup shipped with scikit-image)."""
    from skimage import data
    return fit(data.coffee())


def dark(pixels: np.ndarray | None = None) -> np.ndarray:
    return relit(_frame() if pixels is None else pixels, 0.15)


@functools.lru_cache(maxsize=1)
def lfw_faces() -> tuple[np.ndarray, ...]:
    """The 100 faces of ``lfw_subset`` upscaled to 200×200 RGB (detectable, other persons)."""
    from PIL import Image
    from skimage import data
    faces = data.lfw_subset()[:100]
    out = []
    for face in faces:
        gray = (np.clip(face, 0, 1) * 255).round().astype(np.uint8)
        out.append(np.asarray(Image.fromarray(gray).resize((200, 200), Image.BICUBIC).convert("RGB")))
    return tuple(out)


__all__ = ["astronaut_frame", "astronaut_photo", "blink_burst", "identical_burst", "still_photo_burst",
           "tilted_photo_burst", "two_faces", "small_face", "blank", "landscape", "dark", "lfw_faces",
           "closed_eyes", "shifted", "rescaled", "relit", "squashed", "fit", "jpeg", "png", "encode_image"]
