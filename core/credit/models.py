"""The credit tables: imports (list versions), dishonesty records and commitments."""
from __future__ import annotations
import datetime as dt
from sqlalchemy import (Date, ForeignKey, Integer, String, Text)
from sqlalchemy.orm import Mapped, mapped_column
from core.platform.clock import now
from core.platform.db import Base, UTCDateTime


LEVELS = {"serious": "严重失信", "general": "一般失信"}


class CreditImport(Base):
    """One import of a credit list: the list version evidence refers to."""

    __tablename__ = "credit_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    rows_ok: Mapped[int] = mapped_column(Integer, default=0)
    rows_bad: Mapped[int] = mapped_column(Integer, default=0)


class CreditRecord(Base):
    """A dishonest-person or dishonest-enterprise record (失信记录)."""

    __tablename__ = "credit_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    source_department: Mapped[str] = mapped_column(String(128))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("credit_imports.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    def as_evidence(self) -> dict:
        return {"ref": self.ref, "subject_id": self.subject_id, "name": self.name,
                "level": self.level, "reason": self.reason,
                "source_department": self.source_department,
                "valid_from": self.valid_from.isoformat(),
                "valid_until": self.valid_until.isoformat() if self.valid_until else None}


class Commitment(Base):
    """A commitment signed under notification-commitment (告知承诺), verified later."""

    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(96))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/kept/broken
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[str] = mapped_column(String(48), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    credit_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
