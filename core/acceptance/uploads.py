"""Material files: content sniffing, size/type limits per material spec, image re-encoding,
storage by sha256.

Types are decided from the file's bytes, never from its name or the browser's claim, so a
renamed executable is not a "PDF". Images are decoded and written again by Pillow
(:func:`sanitise_image`): what is stored is pixels only — no EXIF (a phone photo's GPS
position, device serial), no comments, nothing appended after the image data (a JPEG that is
also a ZIP or an HTML page) — and a file that is not a decodable image, or would decode to an
enormous bitmap (a "decompression bomb"), is refused. Files are stored once per content under
the upload dir: the sha256 (and size) are those of the stored, re-encoded bytes, so the same
photo handed in twice is stored once and a stored file always matches its hash.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from core.platform.errors import InvalidInput
from core.contract.services import MaterialSpec

TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG 图片", "image/png": "PNG 图片"}
#: Larger than any phone camera or A3 scan at 300 dpi (~17 MP); a bomb's bitmap is far bigger.
MAX_PIXELS = 60_000_000
JPEG_QUALITY = 90


def sniff_type(data: bytes) -> str | None:
    """The MIME type from magic bytes, or None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


@dataclass(frozen=True)
class Upload:
    """A file a person handed in for one material."""

    material_code: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    material_code: str
    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def check_upload(spec: MaterialSpec, upload: Upload) -> CheckedUpload:
    """Enforce the spec's size and type limits; raise :class:`InvalidInput` otherwise."""
    size = len(upload.data)
    if size == 0:
        raise InvalidInput(f"“{spec.name}”文件为空", code="material_empty", field=spec.code)
    if size > spec.max_bytes:
        raise InvalidInput(
            f"“{spec.name}”文件过大：{size / 1048576:.1f} MB，上限 {spec.max_bytes / 1048576:.1f} MB",
            code="material_too_large", field=spec.code)
    content_type = sniff_type(upload.data)
    if content_type is None or content_type not in spec.accepted_types:
        allowed = "、".join(TYPE_NAMES.get(t, t) for t in sorted(spec.accepted_types))
        raise InvalidInput(f"“{spec.name}”文件类型不符：只接受 {allowed}",
                           code="material_type_not_allowed", field=spec.code)
    data = upload.data
    if content_type.startswith("image/"):
        data = sanitise_image(data, content_type, spec)
    return CheckedUpload(spec.code, upload.filename[:255], content_type, len(data),
                         hashlib.sha256(data).hexdigest(), data)


def sanitise_image(data: bytes, content_type: str, spec: MaterialSpec) -> bytes:
    """Decode and re-encode a JPEG/PNG with Pillow; raise :class:`InvalidInput` when it is not
    a decodable image of a sane size. Orientation from EXIF is applied to the pixels first,
    so a portrait phone photo stays upright once its EXIF is gone."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    def refuse(why: str, code: str):
        return InvalidInput(f"“{spec.name}”{why}", code=code, field=spec.code)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise refuse(f"图片尺寸过大（{width}×{height}），请缩小后重新上传",
                             "material_image_too_large")
            expected = "JPEG" if content_type == "image/jpeg" else "PNG"
            if image.format != expected:
                raise refuse("文件内容与图片格式不符", "material_image_invalid")
            image.load()
            image = ImageOps.exif_transpose(image)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("图片尺寸过大，请缩小后重新上传", "material_image_too_large") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise refuse("不是完整有效的图片，请重新拍照或扫描后上传", "material_image_invalid") from None
    out = io.BytesIO()
    if content_type == "image/jpeg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=False)
    return out.getvalue()


def storage_path(upload_dir: str | Path, sha256: str) -> Path:
    return Path(upload_dir) / sha256[:2] / sha256


def store(upload_dir: str | Path, checked: CheckedUpload) -> Path:
    """Write the file once (content-addressed); safe to call twice for the same content."""
    path = storage_path(upload_dir, checked.sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(checked.data)
        tmp.replace(path)
    return path


def read(upload_dir: str | Path, sha256: str) -> bytes:
    return storage_path(upload_dir, sha256).read_bytes()
