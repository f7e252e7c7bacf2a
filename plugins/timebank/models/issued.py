"""What the time bank issues: star awards, sealed statements (对账单) and the monthly reports."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, UTCDateTime, now


class StarAward(Base):
    """Star rating of a volunteer for one year (国际志愿者日评定)."""

    __tablename__ = "tb_star_awards"
    __table_args__ = (UniqueConstraint("volunteer_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("tb_volunteers.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    stars: Mapped[int] = mapped_column(Integer)
    cumulative_minutes: Mapped[int] = mapped_column(BigInteger)
    awarded_on: Mapped[dt.date] = mapped_column(Date)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)


class Statement(Base):
    """A statement (对账单) issued as a sealed PDF; its code is checked at /timebank/verify."""

    __tablename__ = "tb_statements"
    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("tb_holders.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    closing: Mapped[dict] = mapped_column(JSON, default=dict)
    sha256: Mapped[str] = mapped_column(String(64))
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_by: Mapped[str] = mapped_column(String(48))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class MonthlyReport(Base):
    """The month's report per community for the street (CSV and chart kept as sent)."""

    __tablename__ = "tb_monthly_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)   # 2026-11
    csv: Mapped[str] = mapped_column(Text)
    svg: Mapped[str] = mapped_column(Text)
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    generated_by: Mapped[str] = mapped_column(String(48))
