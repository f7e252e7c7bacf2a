"""The identity tables (migration ``core_0003``).

* ``identity_references`` — a person's reference face: the 128-d encoding always, the raw
  photo only until ``photo_keep_until`` (``FACE_PHOTO_RETENTION_DAYS``).
* ``identity_face_checks`` — one verification attempt: who, from which IP, the outcome
  (face found, one face, quality, distance, match, liveness), the frame hashes and the review.
  This row is the evidence the counter worker sees; it outlives the selfies.
* ``identity_face_frames`` — the uploaded frames while a check is queued or running; deleted
  when the check ends, whatever its outcome. Stored in the database (not on a local disk)
  so a worker on another machine can read them.
* ``identity_signatures`` — a signed commitment: text hash, signature, the sealed PDF.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String,
                        Text)
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.clock import now
from core.platform.crypto import EncryptedBytes, EncryptedString, blind_index
from core.platform.db import Base, UTCDateTime


class FaceReference(Base):
    """A reference face of a person (人像登记): ID photo or live photo taken at a counter."""

    __tablename__ = "identity_references"
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    # Biometrics and ID numbers are sensitive personal information (PIPL Art. 28): encrypted.
    id_number: Mapped[str] = mapped_column(EncryptedString("identity_references.id_number"))
    id_number_index: Mapped[str | None] = blind_index("id_number", "id_number")
    source: Mapped[str] = mapped_column(String(16))           # id_photo / live_photo / import
    #: 128 little-endian float64, encrypted.
    encoding: Mapped[bytes] = mapped_column(EncryptedBytes("identity_references.encoding"))
    model: Mapped[str] = mapped_column(String(48))
    quality: Mapped[dict] = mapped_column(JSON, default=dict)
    photo: Mapped[bytes | None] = mapped_column(EncryptedBytes("identity_references.photo"), deferred=True)
    photo_sha256: Mapped[str] = mapped_column(String(64), default="")
    photo_content_type: Mapped[str] = mapped_column(String(32), default="")
    photo_keep_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    photo_deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    import_batch: Mapped[str] = mapped_column(String(40), default="")
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    retired_reason: Mapped[str] = mapped_column(Text, default="")


class FaceCheck(Base):
    """One face verification attempt (人脸核验记录) and its evidence."""

    __tablename__ = "identity_face_checks"
    __table_args__ = (
        Index("ix_identity_face_checks_person_time", "applicant_id", "created_at"),
        Index("ix_identity_face_checks_ip_time", "ip", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    id_number: Mapped[str] = mapped_column(EncryptedString("identity_face_checks.id_number"), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    mode: Mapped[str] = mapped_column(String(8), default="camera")  # camera / upload
    # pending → running → passed / failed / needs_review / error; review ends in passed/failed
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    run: Mapped[int] = mapped_column(Integer, default=1)             # job runs so far
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    frame_count: Mapped[int] = mapped_column(Integer, default=0)
    frame_hashes: Mapped[list] = mapped_column(JSON, default=list)
    burst_sha256: Mapped[str] = mapped_column(String(64), default="")
    face_found: Mapped[bool | None] = mapped_column(Boolean)
    one_face: Mapped[bool | None] = mapped_column(Boolean)
    quality: Mapped[dict] = mapped_column(JSON, default=dict)
    distance: Mapped[float | None] = mapped_column(Float)
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    matched: Mapped[bool | None] = mapped_column(Boolean)
    liveness_passed: Mapped[bool | None] = mapped_column(Boolean)
    liveness: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[list] = mapped_column(JSON, default=list)        # codes, most important first
    message: Mapped[str] = mapped_column(Text, default="")           # for the citizen
    reference_ids: Mapped[list] = mapped_column(JSON, default=list)
    reference_source: Mapped[str] = mapped_column(String(32), default="")
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    frames_deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    step_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_outcome: Mapped[str] = mapped_column(String(16), default="")  # passed / failed
    review_note: Mapped[str] = mapped_column(Text, default="")


class FaceFrame(Base):
    """An uploaded frame, kept only while its check is queued or running."""

    __tablename__ = "identity_face_frames"
    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("identity_face_checks.id", ondelete="CASCADE"),
                                          index=True)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(EncryptedBytes("identity_face_frames.data"))
    sha256: Mapped[str] = mapped_column(String(64))


class SignedCommitment(Base):
    """A commitment signed in the portal (电子签名): what was signed, how, and the sealed PDF."""

    __tablename__ = "identity_signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    face_check_id: Mapped[int | None] = mapped_column(ForeignKey("identity_face_checks.id"))
    text_sha256: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))                 # drawn / typed
    typed_name: Mapped[str] = mapped_column(String(64), default="")
    signature_sha256: Mapped[str] = mapped_column(String(64), default="")
    phone_masked: Mapped[str] = mapped_column(String(20), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    pdf: Mapped[bytes] = mapped_column(EncryptedBytes("identity_signatures.pdf"), deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    sealed_by: Mapped[str] = mapped_column(String(128), default="")


__all__ = ["FaceReference", "FaceCheck", "FaceFrame", "SignedCommitment"]
