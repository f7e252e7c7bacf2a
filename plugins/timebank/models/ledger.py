"""The double-entry ledger: accounts (one balance in minutes each), journals (one operation
each) and their movements; journals and movements are never updated or deleted."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, UTCDateTime, now


class Account(Base):
    """One balance in minutes. ``key`` is ``h:<holder>:<kind>`` or ``c:<community>:<kind>``."""

    __tablename__ = "tb_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("tb_holders.id"), index=True)
    community: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(8), default="open")   # open / closed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Journal(Base):
    """One ledger operation (immutable). ``minutes`` is the operation's gross amount."""

    __tablename__ = "tb_journals"
    __table_args__ = (Index("ix_tb_journals_kind_at", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    community: Mapped[str] = mapped_column(String(16), index=True)    # where it happened
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("tb_holders.id"), index=True)
    minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    category: Mapped[str] = mapped_column(String(16), default="")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("tb_requests.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("tb_journals.id"), unique=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    ref: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(48))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Movement(Base):
    """One line of a journal (immutable): ``amount`` minutes on one account."""

    __tablename__ = "tb_movements"
    __table_args__ = (Index("ix_tb_movements_account", "account_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("tb_journals.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("tb_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
