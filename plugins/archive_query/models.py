"""The plugin's tables: the archive store, who looked at it, query results, the bureau switch.

* ``aq_archive_records`` — one archived record (档案): category, reference (全宗号/案卷号/件号),
  date, issuing body and the category's own values in ``fields`` (validated by
  :mod:`.categories`). ``row_hash`` lets a re-import tell "unchanged" from "changed".
* ``aq_record_persons`` — the persons a record concerns, by resident ID. A marriage record
  has two rows here, so a lookup by *either* spouse's ID is one indexed query.
* ``aq_access_log`` — every look at a record (who, when, why, which record), one row per
  person concerned, so a citizen's "who looked at my records" is one indexed query too.
* ``aq_query_results`` — the records found for an application, frozen at decision time with
  only what the requester may see; the certificate is rendered from it.
* ``aq_bureau_settings`` — the archive bureau's switches (one row).
* ``aq_imports`` — one row per import run, with its counts.
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Base, EncryptedJSON, EncryptedString, UTCDateTime, blind_index, now


class ArchiveRecord(Base):
    __tablename__ = "aq_archive_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(24))
    #: 全宗号/案卷号/件号 joined by "/", unique across the archive (the import key).
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    fonds_no: Mapped[str] = mapped_column(String(32))
    file_no: Mapped[str] = mapped_column(String(32))
    item_no: Mapped[str] = mapped_column(String(32), default="")
    record_date: Mapped[dt.date] = mapped_column(Date)
    issuing_body: Mapped[str] = mapped_column(String(100))
    #: The record's contents, encrypted as one value (PIPL Art. 51: marriage, family-planning
    #: and personnel archives); nothing in them is searched in SQL.
    fields: Mapped[dict] = mapped_column(EncryptedJSON("aq_archive_records.fields"), default=dict)
    row_hash: Mapped[str] = mapped_column(String(32))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("aq_imports.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    persons: Mapped[list["RecordPerson"]] = relationship(
        back_populates="record", order_by="RecordPerson.position", cascade="all, delete-orphan",
        passive_deletes=True)


class RecordPerson(Base):
    __tablename__ = "aq_record_persons"
    __table_args__ = (
        UniqueConstraint("record_id", "role"),
        Index("ix_aq_record_persons_birth_name", "birth_year", "name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("aq_archive_records.id", ondelete="CASCADE"))
    #: Encrypted; the look-up by ID goes through ``id_number_index`` (HMAC-SM3).
    id_number: Mapped[str] = mapped_column(EncryptedString("aq_record_persons.id_number"))
    id_number_index: Mapped[str | None] = blind_index("id_number", "id_number")
    name: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    birth_year: Mapped[int] = mapped_column(SmallInteger)

    record: Mapped[ArchiveRecord] = relationship(back_populates="persons")


class AccessLog(Base):
    """One look at an archive record, for one person it concerns (查档留痕)."""

    __tablename__ = "aq_access_log"
    __table_args__ = (Index("ix_aq_access_log_subject_at", "subject_id_number_index", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    #: "user:12", "citizen:3" or "system"
    actor: Mapped[str] = mapped_column(String(48))
    actor_label: Mapped[str] = mapped_column(String(128), default="")
    #: view (saw the record) · result (put on a query result) · denied (refused attempt)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(24), default="")  # search page, api, certificate …
    purpose: Mapped[str] = mapped_column(Text, default="")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("aq_archive_records.id", ondelete="SET NULL"))
    reference: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(24), default="")
    subject_id_number: Mapped[str] = mapped_column(EncryptedString("aq_access_log.subject_id_number"))
    subject_id_number_index: Mapped[str | None] = blind_index("subject_id_number", "id_number", index=False)


class QueryResult(Base):
    """What an application's query found, as the requester may see it (frozen at decision)."""

    __tablename__ = "aq_query_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    category: Mapped[str] = mapped_column(String(24))
    subject_id_number: Mapped[str] = mapped_column(EncryptedString("aq_query_results.subject_id_number"))
    basis: Mapped[str] = mapped_column(String(24))
    records: Mapped[list] = mapped_column(EncryptedJSON("aq_query_results.records"), default=list)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    taken_by: Mapped[str] = mapped_column(String(48))


class BureauSettings(Base):
    """The archive bureau's switches; one row (id 1), changed only by its lead, audited."""

    __tablename__ = "aq_bureau_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    auto_approve_self: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(48), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class ImportRun(Base):
    __tablename__ = "aq_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), default="")
    actor: Mapped[str] = mapped_column(String(48))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    bad_rows: Mapped[int] = mapped_column(Integer, default=0)
