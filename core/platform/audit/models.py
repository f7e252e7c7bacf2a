"""The audit log's two tables: the events and the chain's head."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import (JSON, ForeignKey, Index, Integer, String, insert, text)
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.crypto import EncryptedString, blind_index
from core.platform.db import AUDIT_PENDING, Base, UTCDateTime

log = logging.getLogger(__name__)


GENESIS = "0" * 64
#: Key of the PostgreSQL advisory lock that lets one sealer run at a time ("audit" in ASCII).
SEAL_LOCK_KEY = 0x6175646974
#: Session.info key: this transaction appended events, seal after its commit.
PENDING = AUDIT_PENDING


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)     # None until sealed
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(48), index=True)       # user:12 / citizen:3 / system
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(48))
    object_id: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    #: The person concerned (usually an ID number): encrypted at rest, found by ``subject_index``.
    #: The chain's hashes cover the plaintext, so encrypting it changed no sealed hash.
    subject: Mapped[str] = mapped_column(EncryptedString("audit_events.subject"), default="")
    subject_index: Mapped[str | None] = blind_index("subject", "id_number")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    #: The hash function of this event's link: ``sm3`` (GB/T 32905) or ``sha256``; NULL for
    #: events sealed before core_0013, all of them SHA-256.
    algorithm: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        # The sealer's work list: only the few unsealed rows are in it, whatever the log's size.
        Index("ix_audit_events_unsealed", "id", postgresql_where=text("seq IS NULL"),
              sqlite_where=text("seq IS NULL")),
    )

    @property
    def sealed(self) -> bool:
        return self.seq is not None


class AuditHead(Base):
    """The chain's tip: one row (id 1), written only by the sealer."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__
_APPEND = insert(_EVENTS)
