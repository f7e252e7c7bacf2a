"""The drawn signature (a canvas PNG) checked and cleaned before it goes on the letter."""
from __future__ import annotations

import io

from core.platform.errors import InvalidInput


def normalise_signature(data: bytes, max_bytes: int) -> bytes:
    """A drawn signature as a clean PNG (on white, no metadata); refuses blank or odd images."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidInput("请先签名", code="signature_missing", field="signature")
    if len(data) > max_bytes:
        raise InvalidInput("签名图片太大", code="signature_too_large", field="signature")
    try:
        im = Image.open(io.BytesIO(data))
        if im.format not in ("PNG", "JPEG", "WEBP"):
            raise InvalidInput("签名必须是图片", code="signature_invalid", field="signature")
        w, h = im.size
        if not (60 <= w <= 2400 and 20 <= h <= 1200):
            raise InvalidInput("签名图片尺寸不合适", code="signature_invalid", field="signature")
        im = im.convert("RGBA")
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InvalidInput("签名图片无法识别", code="signature_invalid", field="signature") from None
    white = Image.new("RGBA", im.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, im).convert("RGB")
    gray = flat.convert("L")
    ink = sum(gray.histogram()[:160]) / (w * h)
    if ink < 0.003:
        raise InvalidInput("签名为空，请在框内签名", code="signature_blank", field="signature")
    if ink > 0.6:
        raise InvalidInput("签名无法辨认，请重新签名", code="signature_invalid", field="signature")
    bbox = gray.point(lambda v: 255 if v < 160 else 0).getbbox()
    if bbox:
        pad = 8
        flat = flat.crop((max(bbox[0] - pad, 0), max(bbox[1] - pad, 0),
                          min(bbox[2] + pad, w), min(bbox[3] + pad, h)))
    out = io.BytesIO()
    flat.save(out, "PNG", optimize=True)
    return out.getvalue()
