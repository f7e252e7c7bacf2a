"""What comes out of an application: issued documents, deliveries and the notification outbox."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.clock import now
from core.platform.crypto import EncryptedString
from core.platform.db import Base, UTCDateTime


class Document(Base):
    """An issued document (receipt, notice, decision letter, certificate) with its
    verification code; re-issuing supersedes, revoking marks it revoked."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(48))
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid/revoked/superseded
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    sha256: Mapped[str] = mapped_column(String(64), default="")
    storage_key: Mapped[str] = mapped_column(String(255), default="")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")


class Delivery(Base):
    """Handover at a centre (同城取件) or courier dispatch (邮寄) of a result."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # pickup / courier
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_name: Mapped[str] = mapped_column(String(64), default="")
    recipient_id_number: Mapped[str] = mapped_column(EncryptedString("deliveries.recipient_id_number"),
                                                     default="")
    identity_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    tracking_no: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class OutboxMessage(Base):
    """A notification written in the same transaction as the state change (outbox)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    event: Mapped[str] = mapped_column(String(48))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(16))  # citizen / department / centre
    #: A phone number for people (encrypted: the outbox is kept), a code for departments.
    recipient: Mapped[str] = mapped_column(EncryptedString("outbox.recipient"))
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
