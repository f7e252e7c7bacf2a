"""How much image decoding one request and one person may cause (解码额度).

Re-encoding an upload (:func:`core.acceptance.uploads.sanitise_image`) costs CPU in proportion
to its pixels: a 59.5 MP PNG of 173 KB takes about 2.2 s, and 20 uploads fit in one request,
so a few clients could keep every core busy. Pixels are read from the image header (cheap)
before anything is decoded, and two budgets are enforced first:

* per request — all images of one filing, draft edit or material upload together:
  ``UPLOAD_PIXELS_PER_REQUEST`` (default 100 MP: six 16 MP phone photos, or one 60 MP scan);
  more is refused as bad input (``upload_pixels_per_request``, 400), nothing is decoded;
* per person per minute — ``UPLOAD_PIXELS_PER_MINUTE`` (default 200 MP) for each staff member
  or citizen (``upload_pixels_rate_limited``, 429), counted in Redis when it is configured
  (shared by every web worker and host), in this process otherwise.

So one person can cost at most a few seconds of decoding a minute. No statute sets these
figures; they are this deployment's (configuration).
"""
from __future__ import annotations

import io
import threading
import time
from typing import Iterable

from core.platform.errors import InvalidInput, QuankeError

PIXELS_PER_REQUEST = 100_000_000
PIXELS_PER_MINUTE = 200_000_000
_local: dict[tuple[str, int], int] = {}
_lock = threading.Lock()


class UploadRateLimited(QuankeError):
    code = "upload_pixels_rate_limited"
    http_status = 429


def image_pixels(data: bytes) -> int:
    """Width × height from a JPEG/PNG header without decoding it; 0 for anything else (PDF,
    or bytes the re-encoding will refuse anyway)."""
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        return 0
    import warnings

    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            width, height = Image.open(io.BytesIO(data)).size
    except Exception:  # noqa: BLE001 - undecodable: refused later without decoding either
        return 0
    return width * height


def _setting(quanke, name: str, default: int) -> int:
    return int((quanke.config.get(name) if quanke is not None else None) or default)


def _charge(quanke, key: str, pixels: int) -> int:
    """Add ``pixels`` to ``key``'s count for the current minute; return the new total."""
    minute = int(time.time() // 60)
    redis_url = quanke.config.get("REDIS_URL") if quanke is not None else None
    if redis_url:
        try:
            redis = quanke.jobs.redis
            name = f"{quanke.config.get('QUEUE_PREFIX', 'quanke')}:pixels:{key}:{minute}"
            pipe = redis.pipeline()
            pipe.incrby(name, pixels)
            pipe.expire(name, 120)
            return int(pipe.execute()[0])
        except Exception:  # noqa: BLE001 - Redis down: count here rather than fail the upload
            pass
    with _lock:
        for stale in [k for k in _local if k[1] < minute]:
            del _local[stale]
        _local[(key, minute)] = _local.get((key, minute), 0) + pixels
        return _local[(key, minute)]


def check_budget(quanke, actor_key: str, images: Iterable[bytes]) -> None:
    """Refuse the request before decoding when its images exceed either budget."""
    pixels = sum(image_pixels(data) for data in images)
    if not pixels:
        return
    per_request = _setting(quanke, "UPLOAD_PIXELS_PER_REQUEST", PIXELS_PER_REQUEST)
    if pixels > per_request:
        raise InvalidInput(
            f"本次上传的图片合计 {pixels / 1e6:.0f} 百万像素，超过每次 {per_request / 1e6:.0f} 百万像素的上限；"
            "请缩小图片或分次上传", code="upload_pixels_per_request",
            details={"pixels": pixels, "limit": per_request})
    per_minute = _setting(quanke, "UPLOAD_PIXELS_PER_MINUTE", PIXELS_PER_MINUTE)
    if _charge(quanke, actor_key, pixels) > per_minute:
        raise UploadRateLimited("一分钟内上传的图片过多，请稍后再试", code="upload_pixels_rate_limited",
                                details={"limit_per_minute": per_minute})
