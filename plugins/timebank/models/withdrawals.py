"""What a withdrawal leaves behind: charity-supermarket goods and exchanges, cash payouts,
and loans of service hours."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, UTCDateTime, now


class Goods(Base):
    """An item of a community's charity supermarket (慈善超市), priced in minutes."""

    __tablename__ = "tb_goods"
    id: Mapped[int] = mapped_column(primary_key=True)
    community: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(8), default="件")
    price_minutes: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Exchange(Base):
    """Goods taken out of the supermarket for a goods-bucket withdrawal."""

    __tablename__ = "tb_exchanges"
    id: Mapped[int] = mapped_column(primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("tb_journals.id"), unique=True)
    goods_id: Mapped[int] = mapped_column(ForeignKey("tb_goods.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)


class CashPayout(Base):
    """Cash subsidy paid for a cash-bucket withdrawal (现金结算), in fen."""

    __tablename__ = "tb_cash_payouts"
    id: Mapped[int] = mapped_column(primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("tb_journals.id"), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("tb_holders.id"), index=True)
    community: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    rate_fen_per_hour: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_by: Mapped[str] = mapped_column(String(48))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Loan(Base):
    """An approved loan of service hours (贷); what is owed is the loan account's balance."""

    __tablename__ = "tb_loans"
    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("tb_holders.id"), index=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("tb_journals.id"), unique=True)
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    eligibility: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(48))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
