"""Counter enquiries (咨询) that are not applications, under 首问负责制: whoever first received
one owns it until they answer it or hand it over by name."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.clock import now
from core.platform.db import Base, UTCDateTime


class Enquiry(Base):
    """One question asked at a counter, its answer or its handover."""

    __tablename__ = "enquiries"
    __table_args__ = (Index("ix_enquiries_received_by", "received_by_id", "created_at"),
                      Index("ix_enquiries_owner", "owner_id", "state"))
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))   # 首问负责人
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_department: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    service_code: Mapped[str | None] = mapped_column(String(96))
    #: "answered" or "handed_over" (waiting for the named owner's answer)
    state: Mapped[str] = mapped_column(String(16))
    handover_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
