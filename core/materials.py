"""Material files: content sniffing, size/type limits per material spec, storage by sha256.

Types are decided from the file's bytes, never from its name or the browser's claim, so a
renamed executable is not a "PDF". Files are stored once per content under the upload dir.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput
from .services import MaterialSpec

TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG 图片", "image/png": "PNG 图片"}


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
    return CheckedUpload(spec.code, upload.filename[:255], content_type, size,
                         hashlib.sha256(upload.data).hexdigest(), upload.data)


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
