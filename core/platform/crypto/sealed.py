"""JSON documents with some keys sealed: an application's form data (issue 18).

Form data stays a JSON object the database can query (``form_data["category"]``), but the
values of *sensitive* fields — ID numbers, phones, free text a plugin marks (household income,
case facts) — are stored as SM4-GCM ciphertext, each one alone, and the stored object lists
them under ``"_sealed"``::

    {"category": "civil", "household": "qk1:1:…", "_sealed": ["household"]}

Reading opens exactly the listed keys (so what a citizen types is never taken for
ciphertext) and drops the list; the application code only ever sees plain values. Which keys
to seal comes from the services' declarations (:func:`declare`, called by
:class:`core.contract.services.ServiceDef`) plus the names that always hold identifiers
(``*id_number``, ``*phone``). A name sealed in one service is sealed in all (harmless).

``quanke keys rotate`` re-seals values under an old key version (:func:`reseal`), ``keys
check`` opens them (:func:`open_values`).
"""
from __future__ import annotations

import json

from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator

from core.platform.crypto.cipher import KeyRing, version_of
from core.platform.crypto.columns import Unreadable, ring_for
from core.platform.crypto.errors import CiphertextError

MARK = "_sealed"
#: Field names that always hold identifiers, whatever the service says.
ALWAYS = ("id_number", "phone")

_DECLARED: set[str] = set()


def declare(names) -> None:
    """Seal fields with these names in every application's form data from now on."""
    _DECLARED.update(names)


def is_sealed_name(name: str, extra: frozenset[str] = frozenset()) -> bool:
    return name in _DECLARED or name in extra or name.endswith(ALWAYS)


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def seal(ring: KeyRing, document: dict, label: str, extra: frozenset[str] = frozenset()) -> dict:
    """``document`` with its sensitive values encrypted (already sealed ones kept as they are)."""
    out, sealed = {}, []
    already = set(document.get(MARK) or ())
    for key, value in document.items():
        if key == MARK:
            continue
        if key in already and version_of(value) is not None:
            out[key] = value
            sealed.append(key)
        elif is_sealed_name(key, extra) and value not in (None, "", [], {}):
            if isinstance(value, Unreadable):
                raise value.error
            out[key] = ring.encrypt(_dump(value), f"{label}.{key}")
            sealed.append(key)
        else:
            out[key] = value
    if sealed:
        out[MARK] = sorted(sealed)
    return out


def open_values(ring: KeyRing, stored: dict, label: str) -> dict:
    """The plain document; an undecryptable value reads as :class:`Unreadable`."""
    names = set(stored.get(MARK) or ())
    out = {}
    for key, value in stored.items():
        if key == MARK:
            continue
        if key in names:
            try:
                value = json.loads(ring.decrypt(value, f"{label}.{key}"))
            except CiphertextError as exc:
                value = Unreadable(exc)
        out[key] = value
    return out


def reseal(ring: KeyRing, stored: dict, label: str) -> dict | None:
    """``stored`` with every sealed value under the active key; None when nothing changes."""
    names = set(stored.get(MARK) or ())
    stale = [k for k in names if version_of(stored.get(k)) not in (None, ring.active_version)]
    if not stale:
        return None
    out = dict(stored)
    for key in stale:
        out[key] = ring.encrypt(ring.decrypt(stored[key], f"{label}.{key}"), f"{label}.{key}")
    return out


class SealedJSON(TypeDecorator):
    """A JSON object column whose sensitive keys are stored encrypted (see the module doc);
    ``extra`` names keys this column always seals (a courier address's recipient and address)."""

    impl = JSON
    cache_ok = True

    def __init__(self, label: str, extra: tuple[str, ...] = ()):
        super().__init__()
        self.label, self.extra = label, frozenset(extra)

    def process_bind_param(self, value, dialect):
        if not isinstance(value, dict) or not value:
            return value
        return seal(ring_for(dialect), value, self.label, self.extra)

    def process_result_value(self, value, dialect):
        if not isinstance(value, dict) or MARK not in value:
            return value
        return open_values(ring_for(dialect), value, self.label)
