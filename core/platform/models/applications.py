"""Applications (办件) and what they gather: applicants and citizens' portal accounts,
materials, decisions, check evidence, clock pauses and the receipt-number counters.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.platform.clock import now
from core.platform.crypto import EncryptedString, blind_index
from core.platform.crypto.sealed import SealedJSON
from core.platform.db import Base, UTCDateTime
from core.platform.models.enums import State
from core.platform.models.organisation import Centre


class Applicant(Base):
    """A person (resident ID) or an enterprise (unified social credit code) — 申请人."""

    __tablename__ = "applicants"
    # ID number first: the same index serves "this person or firm" and "anyone with this ID".
    __table_args__ = (UniqueConstraint("id_number_index", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "person" or "enterprise"
    #: Encrypted at rest (PIPL Art. 28/51); look people up by ``id_number_index``.
    id_number: Mapped[str] = mapped_column(EncryptedString("applicants.id_number"))
    id_number_index: Mapped[str | None] = blind_index("id_number", "id_number", index=False)
    name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(EncryptedString("applicants.phone"), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(8), default="")
    region_code: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Citizen(Base):
    """A portal account, identified by a phone number (市民)."""

    __tablename__ = "citizens"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(EncryptedString("citizens.phone"))
    phone_index: Mapped[str | None] = blind_index("phone", "phone", unique=True)  # SMS login
    name: Mapped[str] = mapped_column(String(64), default="")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # as User's

    applicant: Mapped[Applicant | None] = relationship()


class Application(Base):
    """One application for one service (办件), moving through :mod:`core.workflow`."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_queue", "department_code", "state", "overdue", "due_date"),
        Index("ix_applications_applicant", "applicant_id", "created_at"),
        # the counter workbench: "filed by me / accepted by me today", "ready for pick-up here"
        Index("ix_applications_filed_by", "filed_by_id", "created_at"),
        Index("ix_applications_accepted_by", "accepted_by_id", "accepted_at"),
        Index("ix_applications_pickup", "pickup_centre_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    service_code: Mapped[str] = mapped_column(String(96), index=True)
    department_code: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(24), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    pickup_centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    delivery_method: Mapped[str] = mapped_column(String(16), default="pickup")
    #: 邮寄送达: {"recipient", "phone", "address"} (core.acceptance.delivery_choice); NULL for
    #: pick-up, and for courier applications filed before 0.2 (no address was asked then).
    #: Recipient, phone and address are stored encrypted (:mod:`core.platform.crypto.sealed`).
    courier_address: Mapped[dict | None] = mapped_column(
        SealedJSON("applications.courier_address", extra=("recipient", "address")))
    #: The service's form; the fields holding identifiers or marked sensitive
    #: (``ServiceDef.sensitive_fields``) are stored encrypted, the rest stays queryable.
    form_data: Mapped[dict] = mapped_column(SealedJSON("applications.form_data"), default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    receipt_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    warn_reason: Mapped[str] = mapped_column(Text, default="")
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    deadline_working_days: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_since: Mapped[dt.date | None] = mapped_column(Date)
    identity_passed: Mapped[list] = mapped_column(JSON, default=list)  # remote steps passed
    #: The service's legal clock (LegalClock.to_record()) as it stood when the application was
    #: received; NULL = the service's current declaration (applications from before 0.2).
    clock_rule: Mapped[dict | None] = mapped_column(JSON)
    #: 首问负责制: the person who owns the case now — whoever first received it, until they
    #: hand it over by name to a person (owner_id) or a department queue (owner_department).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    owner_department: Mapped[str | None] = mapped_column(String(64))
    #: An outcome the law attaches to inaction (视为受理 "accepted", 视为撤回 "withdrawn").
    deemed: Mapped[str] = mapped_column(String(16), default="", server_default="")

    applicant: Mapped[Applicant] = relationship(lazy="joined")
    centre: Mapped[Centre | None] = relationship(foreign_keys=[centre_id])
    materials: Mapped[list["Material"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Material.id")
    pauses: Mapped[list["ClockPause"]] = relationship(
        cascade="all, delete-orphan", order_by="ClockPause.id")
    decisions: Mapped[list["Decision"]] = relationship(
        cascade="all, delete-orphan", order_by="Decision.id")
    evidence: Mapped[list["CheckEvidence"]] = relationship(
        cascade="all, delete-orphan", order_by="CheckEvidence.id")

    @property
    def state_enum(self) -> State:
        return State(self.state)


class Material(Base):
    """A material received with an application; scans are stored by sha256."""

    __tablename__ = "materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    application: Mapped[Application] = relationship(back_populates="materials")


class Decision(Base):
    """A written decision on an application: return (补正), refuse, approve, reject."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text, default="")
    gaps: Mapped[list] = mapped_column(JSON, default=list)
    correction_due: Mapped[dt.date | None] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class ClockPause(Base):
    """A stretch of time that does not count towards the deadline (中止计时)."""

    __tablename__ = "clock_pauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CheckEvidence(Base):
    """A check's result kept as evidence: which check, list version, when, hit, match."""

    __tablename__ = "check_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    phase: Mapped[str] = mapped_column(String(16))  # acceptance / decision
    check_code: Mapped[str] = mapped_column(String(96))
    check_name: Mapped[str] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    hit: Mapped[bool] = mapped_column(Boolean, default=False)
    matched: Mapped[dict | None] = mapped_column(JSON)
    list_version: Mapped[str | None] = mapped_column(String(64))
    queried_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ReceiptSequence(Base):
    """Per centre and day counter behind receipt numbers (受理编号)."""

    __tablename__ = "receipt_sequences"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
