"""Legal aid's own tables (prefix ``la_``).

* ``la_hardship_standards`` — the local economic-hardship standard (Art. 34), dated per area;
* ``la_lawyers``, ``la_lawyer_conflicts``, ``la_assignments`` — the roster, declared conflicts
  of interest and who was assigned to which case (Art. 43: within 3 days of the grant);
* ``la_urgent_aid`` — aid given before the decision (Art. 44);
* ``la_objections`` — objections to a refusal or termination, decided by the justice bureau
  (Art. 49);
* ``la_terminations`` — terminations of aid (Art. 48, items 1–8).

The application itself, its decision and its documents are the core's; these rows refer to
it by ``application_id``. Every change to them is audited in the same transaction.
"""
import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Base, EncryptedString, UTCDateTime, now


class HardshipStandard(Base):
    """经济困难标准: monthly income per head (and optionally assets per head), per area,
    effective from a date; loaded from a file (``quanke legal-aid load-standards``)."""

    __tablename__ = "la_hardship_standards"
    __table_args__ = (UniqueConstraint("area_code", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    monthly_per_head: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    assets_per_head: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    source: Mapped[str] = mapped_column(String(200), default="")
    loaded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=now)
    loaded_by: Mapped[str] = mapped_column(String(48), default="")


class Lawyer(Base):
    """A legal-aid lawyer on the roster (法律援助律师名册)."""

    __tablename__ = "la_lawyers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    licence_no: Mapped[str] = mapped_column(String(17), unique=True)  # 律师执业证号
    firm: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(EncryptedString("la_lawyers.phone"), default="")
    max_active: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    conflicts: Mapped[list["LawyerConflict"]] = relationship(
        cascade="all, delete-orphan", order_by="LawyerConflict.id")


class LawyerConflict(Base):
    """A party the lawyer (and so the lawyer's firm) acts or acted for: never assign the
    lawyer or a colleague of the same firm to a case against that party."""

    __tablename__ = "la_lawyer_conflicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("la_lawyers.id", ondelete="CASCADE"), index=True)
    party_name: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(String(200), default="")


class Assignment(Base):
    """A lawyer assigned to a case; a reassignment ends the old row and starts a new one."""

    __tablename__ = "la_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("la_lawyers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))           # grant / urgent / correction
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active/ended
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    due_on: Mapped[dt.date | None] = mapped_column(Date)    # the Art. 43 three-day limit
    assigned_by: Mapped[str] = mapped_column(String(48))
    reason: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(Text, default="")

    lawyer: Mapped[Lawyer] = relationship(lazy="joined")


class UrgentAid(Base):
    """Aid given before the decision (先行提供法律援助, Art. 44)."""

    __tablename__ = "la_urgent_aid"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(24))
    deadline_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="in_force")  # in_force/granted/ended
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(Text, default="")


class Termination(Base):
    """A decision terminating aid (终止法律援助, Art. 48)."""

    __tablename__ = "la_terminations"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    #: The case facts found (encrypted at rest: PIPL Art. 28, a legal-aid case's details).
    facts: Mapped[str] = mapped_column(EncryptedString("la_terminations.facts"))
    #: Art. 48(1)(8) "法律法规规定的其他情形": the law or regulation relied on ("" otherwise).
    basis: Mapped[str] = mapped_column(String(200), default="", server_default="")
    found_on: Mapped[dt.date] = mapped_column(Date)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="in_force")  # in_force/revoked
    credit_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Objection(Base):
    """An objection to a refusal or a termination (异议, Art. 49), decided by the bureau."""

    __tablename__ = "la_objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    against: Mapped[str] = mapped_column(String(16))          # refusal / termination
    termination_id: Mapped[int | None] = mapped_column(ForeignKey("la_terminations.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)             # received + 5 days (Art. 49)
    grounds: Mapped[str] = mapped_column(EncryptedString("la_objections.grounds"))   # encrypted
    filed_by: Mapped[str] = mapped_column(String(48))
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/upheld/corrected
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)   # the centre complied
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
