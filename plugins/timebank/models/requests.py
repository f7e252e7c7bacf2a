"""Service requests (服务需求申请单), the offers matching sends to volunteers, and the changes
to the default list of kinds of service."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, UTCDateTime, now


class ServiceRequest(Base):
    """服务需求申请单: a recipient asks for a service; its own lifecycle, audited."""

    __tablename__ = "tb_requests"
    __table_args__ = (Index("ix_tb_requests_status", "community", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("tb_holders.id"), index=True)
    community: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(256))
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    planned_minutes: Mapped[int] = mapped_column(Integer)
    payer: Mapped[str] = mapped_column(String(12))   # recipient / donation / public
    held_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(48))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("tb_volunteers.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("tb_holders.id"))  # who is paid
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_minutes: Mapped[int | None] = mapped_column(Integer)
    confirmed_by: Mapped[str] = mapped_column(String(48), default="")
    confirmer_role: Mapped[str] = mapped_column(String(16), default="")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    journal_id: Mapped[int | None] = mapped_column(Integer)  # the confirmation journal
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_by: Mapped[str] = mapped_column(String(48), default="")
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str] = mapped_column(Text, default="")


class Offer(Base):
    """A request proposed to a volunteer by matching; the volunteer accepts or declines."""

    __tablename__ = "tb_offers"
    __table_args__ = (UniqueConstraint("request_id", "volunteer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("tb_requests.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("tb_volunteers.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="offered")  # offered/accepted/declined/closed
    offered_by: Mapped[str] = mapped_column(String(48))
    offered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ServiceKind(Base):
    """A change to the default list of kinds of service (rename, switch off, add)."""

    __tablename__ = "tb_service_kinds"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
