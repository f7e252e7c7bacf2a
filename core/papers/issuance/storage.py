"""Content-addressed storage of rendered PDFs under ``<INSTANCE_PATH>/documents``
(``<sha256[:2]>/<sha256>.pdf``).
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path

#: The package's logger: records keep the name they had before issuance became a package.
log = logging.getLogger(__package__)


def documents_dir(quanke) -> Path:
    return Path(quanke.config["INSTANCE_PATH"]) / "documents"


def _storage_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}.pdf"


def _read_stored(quanke, sha256: str, storage_key: str) -> bytes | None:
    """The stored bytes when present and intact; None otherwise (then the caller renders)."""
    if not sha256 or not storage_key:
        return None
    path = documents_dir(quanke) / storage_key
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.warning("stored document %s is missing; rendering it again", storage_key)
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        log.error("stored document %s does not match its sha256; rendering it again", storage_key)
        return None
    return data


def _write_stored(quanke, data: bytes) -> tuple[str, str]:
    sha256 = hashlib.sha256(data).hexdigest()
    key = _storage_key(sha256)
    path = documents_dir(quanke) / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return sha256, key
