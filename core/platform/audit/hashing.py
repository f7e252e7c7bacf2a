"""The chain's links: SM3 (GB/T 32905) or SHA-256 over an event's stored content."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import weakref
from typing import Any

from sqlalchemy.engine import Engine

from core.platform.crypto import Unreadable

log = logging.getLogger(__name__)


def _normalise(data: Any) -> Any:
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str, sort_keys=True))


#: Hash functions of the chain, by the name stored with each event.
HASHES = {"sm3": "sm3", "sha256": "sha256"}
#: Configuration value (``AUDIT_HASH``) → stored name.
HASH_SETTINGS = {"SM3": "sm3", "SHA-256": "sha256"}
_ENGINE_HASH: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def use_hash(engine: Engine, setting: str) -> None:
    """The chain's hash function for new seals on ``engine`` (``AUDIT_HASH``: SM3 or SHA-256)."""
    if setting not in HASH_SETTINGS:
        raise ValueError(f"AUDIT_HASH 只能是 {' 或 '.join(HASH_SETTINGS)}，而不是 {setting!r}")
    _ENGINE_HASH[engine.dialect] = HASH_SETTINGS[setting]


def hash_of(engine_or_conn) -> str:
    return _ENGINE_HASH.get(engine_or_conn.dialect, "sm3")


def event_hash(*, seq: int, at: dt.datetime, actor: str, action: str, object_type: str,
               object_id: str, application_id: int | None, subject: str, data: Any,
               prev_hash: str, algorithm: str | None = "sm3") -> str:
    """The event's link in the chain; ``algorithm`` None is SHA-256 (events before core_0013)."""
    if isinstance(subject, Unreadable):
        raise subject.error
    payload = json.dumps({
        "seq": seq, "at": at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "actor": actor, "action": action, "object_type": object_type,
        "object_id": str(object_id), "application_id": application_id, "subject": subject,
        "data": data, "prev": prev_hash,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.new(HASHES[algorithm or "sha256"], payload.encode("utf-8")).hexdigest()
