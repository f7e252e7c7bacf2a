"""The tables of satisfaction ratings (好差评): a rating of one subject, the follow-up a bad
rating opens (差评整改) and the rated worker's appeal (申诉复核)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.platform.clock import now
from core.platform.db import Base, UTCDateTime
from core.platform.models import Application, State

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_AT_OR_BELOW = 2
FOLLOW_UP_WORKING_DAYS = 3
#: States after which the service counts as given and can be rated.
RATEABLE = frozenset({State.ACCEPTED, State.IN_REVIEW, State.APPROVED, State.REJECTED,
                      State.ISSUED, State.DELIVERED, State.NOT_ACCEPTED,
                      State.CORRECTION_REQUESTED})

#: Rating.status: counted in the statistics, or taken out by an upheld appeal.
COUNTED, APPEAL_UPHELD = "counted", "appeal_upheld"
#: What a rating can be about, and the column that names it (exactly one is set).
SUBJECT_COLUMNS = {"application": "application_id", "ticket": "ticket_id", "enquiry": "enquiry_id"}
ONE_SUBJECT = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)"
                         for c in SUBJECT_COLUMNS.values()) + " = 1"


class Rating(Base):
    """One citizen's rating of one service given: an application, a queue ticket or an enquiry."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("application_id"), UniqueConstraint("ticket_id"),
                      UniqueConstraint("enquiry_id"), CheckConstraint(ONE_SUBJECT, name="one_subject"))
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("queue_tickets.id"))
    #: The enquiries table is being added separately; its foreign key comes with it.
    enquiry_id: Mapped[int | None] = mapped_column(Integer)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(96))
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))  # counter / portal
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, index=True)
    status: Mapped[str] = mapped_column(String(16), default=COUNTED, server_default=COUNTED)

    follow_up: Mapped["FollowUp | None"] = relationship(back_populates="rating", uselist=False)
    appeal: Mapped["RatingAppeal | None"] = relationship(back_populates="rating", uselist=False)

    @property
    def label(self) -> str:
        return LEVELS.get(self.level, str(self.level))

    @property
    def kind(self) -> str:
        return next(k for k, c in SUBJECT_COLUMNS.items() if getattr(self, c) is not None)

    @property
    def subject_id(self) -> int:
        return getattr(self, SUBJECT_COLUMNS[self.kind])


class FollowUp(Base):
    """A bad rating to be followed up by the centre admin (差评回访整改)."""

    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    #: Set when the rating is about an application (a ticket's or enquiry's has none).
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open / closed
    resolution: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    #: How the rater was told the resolution: "sms", or "none" when they left no phone.
    told: Mapped[str] = mapped_column(String(16), default="", server_default="")

    rating: Mapped[Rating] = relationship(back_populates="follow_up")
    application: Mapped[Application | None] = relationship()


APPEAL_STATUSES = {"pending": "待复核", "upheld": "申诉成立", "rejected": "申诉不成立"}


class RatingAppeal(Base):
    """The rated worker's appeal of a rating they hold mistaken (申诉复核), decided by the
    admin of the rating's centre. One per rating."""

    __tablename__ = "rating_appeals"
    __table_args__ = (Index("ix_rating_appeals_queue", "centre_id", "status", "filed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    rating: Mapped[Rating] = relationship(back_populates="appeal")
