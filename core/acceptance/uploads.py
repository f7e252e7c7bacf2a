"""Material files: content sniffing, size/type limits per material spec, image re-encoding,
encrypted storage.

Types are decided from the file's bytes, never from its name or the browser's claim, so a
renamed executable is not a "PDF". Images are decoded and written again by Pillow
(:func:`sanitise_image`): what is stored is pixels only — no EXIF (a phone photo's GPS
position, device serial), no comments, nothing appended after the image data (a JPEG that is
also a ZIP or an HTML page) — and a file that is not a decodable image, or would decode to an
enormous bitmap (a "decompression bomb"), is refused. Files are stored once per content under
the upload dir, encrypted with the deployment's data key (SM4-GCM, :mod:`core.platform.crypto`)
and named by a keyed HMAC of the re-encoded bytes' sha256 (:func:`file_key`), so the same
photo handed in twice is stored once and the disk holds neither the documents nor their
bare hashes. ``quanke uploads encrypt`` migrates files written before (:mod:`core.ops.upload_commands`).
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


#: What names a stored file (``materials.sha256``): the blind-index HMAC (HMAC-SM3 under the
#: deployment's index key) of the plaintext's SHA-256 — equal contents still share one file,
#: but the name no longer lets anyone holding a copy of a document confirm it is on disk.
FILE_DOMAIN = "material_file"
LEGACY_NAME_LENGTH = 64      # a bare sha256 hex digest: a file from before encryption


def file_key(ring, checked_sha256: str) -> str:
    """The de-duplication key (and file name) of content whose SHA-256 is ``checked_sha256``."""
    return str(ring.blind_index(FILE_DOMAIN, checked_sha256))


def _label(key: str) -> str:
    # bound into the ciphertext (AEAD associated data): a file moved under another name fails
    return f"materials.file:{key}"


def storage_path(upload_dir: str | Path, key: str) -> Path:
    return Path(upload_dir) / key[:2] / key


def store(upload_dir: str | Path, checked: CheckedUpload, ring) -> str:
    """Encrypt and write the file once per content; returns its key (store it as
    ``Material.sha256``). Safe to call twice for the same content."""
    key = file_key(ring, checked.sha256)
    path = storage_path(upload_dir, key)
    if not path.exists():
        _write(path, ring.encrypt_bytes(checked.data, _label(key)))
    return key


def _write(path: Path, blob: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(blob)
    tmp.replace(path)


def read(upload_dir: str | Path, key: str, ring) -> bytes:
    """The plaintext of a stored material (decrypted; a wrong key or an altered file raises
    :class:`core.platform.crypto.CiphertextError`, never garbage). A file from before
    encryption (named by its bare sha256, see :func:`encrypt_legacy`) is read as it is."""
    blob = storage_path(upload_dir, key).read_bytes()
    if len(key) == LEGACY_NAME_LENGTH and not is_encrypted(blob):
        return blob
    return ring.decrypt_bytes(blob, _label(key))


def is_encrypted(blob: bytes) -> bool:
    from core.platform.crypto.cipher import BYTES_PREFIX
    return blob.startswith(BYTES_PREFIX)


def encrypt_legacy(upload_dir: str | Path, legacy_sha256: str, ring) -> str | None:
    """Migrate one plaintext file named by its bare sha256 in place: write it encrypted under
    its keyed name, then remove the plaintext. Returns the new key, or None when the file is
    missing or does not match its name (left untouched for a person to look at)."""
    old = storage_path(upload_dir, legacy_sha256)
    try:
        data = old.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != legacy_sha256:
        return None
    key = file_key(ring, legacy_sha256)
    new = storage_path(upload_dir, key)
    if not new.exists():
        _write(new, ring.encrypt_bytes(data, _label(key)))
    return key
