"""Verification codes and the public lookup behind ``/verify/<code>`` (:mod:`web.verify`).

A code is 16 base32 characters (80 random bits); the lookup shows only the document's status
and its masked summary.
"""
from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.papers.issuance.kinds import KINDS
from core.platform.clock import local
from core.platform.models import Document

CODE_LENGTH = 16  # base32 characters: 80 random bits
_CODE_RE = re.compile(r"^[A-Z2-7]{16}$")
#: Looked up instead of a malformed code, so every request costs the same single query.
#: '0' and '1' are not base32 digits: no real code can ever equal it.
_DUMMY_CODE = "0" * CODE_LENGTH


def new_verification_code() -> str:
    """16 characters of base32 (A–Z, 2–7) from :mod:`secrets`: 80 bits, not guessable."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def normalise_code(raw: str | None) -> str | None:
    """A code as typed or scanned (any case, with spaces or dashes) → canonical, or None when
    it cannot be a verification code at all."""
    value = re.sub(r"[\s-]", "", str(raw or "")).upper()
    return value if _CODE_RE.match(value) else None


def verification_url(quanke, code: str) -> str:
    return f"{str(quanke.config.get('BASE_URL') or '').rstrip('/')}/verify/{code}"


@dataclass(frozen=True)
class Verification:
    """What the public page may show about a document: status and the masked summary."""

    status: str                      # valid / revoked / superseded
    summary: dict
    verification_code: str
    revoked_on: str | None = None    # ISO date (Beijing)
    issued_at: dt.datetime | None = None

    @property
    def kind_label(self) -> str:
        return str(self.summary.get("kind_label") or KINDS.get(self.summary.get("kind", ""), "文书"))

    def public(self) -> dict:
        """JSON for ``/verify/<code>.json``: only whitelisted, masked fields."""
        s = self.summary
        out = {
            "code": self.verification_code,
            "status": self.status,
            "authentic": True,
            "current": self.status == "valid",
            "document": {k: s.get(k) for k in ("kind", "kind_label", "number", "version", "service_name",
                                               "applicant_name", "applicant_id", "issued_on", "centre",
                                               "department")},
        }
        # What a checker needs for a certificate, as its plugin chose it (a licence's name,
        # credit code, validity); never personal data (the plugin's contract, docs/plugins.md).
        fields = s.get("public_fields")
        if isinstance(fields, list):
            out["fields"] = [{"label": str(p[0]), "value": str(p[1])} for p in fields
                             if isinstance(p, (list, tuple)) and len(p) == 2]
        if self.status == "revoked":
            out["revoked_on"] = self.revoked_on
        if self.status == "superseded":
            out["replaced"] = {"on": s.get("replaced_on"), "by_number": s.get("replaced_by_number"),
                               "by_version": s.get("replaced_by_version")}
        delivery = s.get("delivery")
        if isinstance(delivery, dict):
            out["delivery"] = {k: delivery.get(k) for k in ("method", "method_label", "on", "centre",
                                                            "recipient", "tracking_no", "identity_checked")
                               if k in delivery}
        return out


def lookup(session: Session, raw_code: str | None) -> Verification | None:
    """The document a verification code belongs to, or None.

    Exactly one indexed query whatever the input: a malformed code is looked up as a dummy
    value that can never exist, so response time does not tell malformed from unknown codes.
    """
    code = normalise_code(raw_code)
    row = session.execute(
        select(Document.status, Document.summary, Document.verification_code, Document.revoked_at,
               Document.issued_at)
        .where(Document.verification_code == (code or _DUMMY_CODE))).first()
    if row is None or code is None:
        return None
    status, summary, found_code, revoked_at, issued_at = row
    return Verification(status=status, summary=dict(summary or {}), verification_code=found_code,
                        revoked_on=local(revoked_at).date().isoformat() if revoked_at else None,
                        issued_at=issued_at)
