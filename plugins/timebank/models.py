"""Time-bank tables (all prefixed ``tb_``).

People and teams are *holders*; each holder has four accounts (service 70%, goods 20%,
cash 10%, loan) and each community has its own system accounts (hours issued, redeemed,
supermarket, cash paid, donation pool, escrow for reserved hours, interbank clearing).
The ledger is double-entry in whole minutes: a *journal* is one business operation, its
*movements* sum to zero, and neither is ever updated or deleted (database triggers refuse
it); a correction is a reversing journal. ``tb_accounts.balance`` is a cache of the sum of
the account's movements, kept under the account's row lock and checked by
:func:`plugins.timebank.domain.ledger.verify`.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, UTCDateTime, now


class Holder(Base):
    """Someone who owns time: a person (volunteer or service recipient) or a team."""

    __tablename__ = "tb_holders"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))                      # person / team
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    community: Mapped[str] = mapped_column(String(16), index=True)    # home community
    status: Mapped[str] = mapped_column(String(8), default="active")  # active / closed
    subject: Mapped[str] = mapped_column(String(64), default="")      # audit subject (ID number)
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    loan_exception: Mapped[str] = mapped_column(Text, default="")     # why eligible despite the rule
    address: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str] = mapped_column(Text, default="")


class Volunteer(Base):
    """A certified volunteer's profile (志愿者档案)."""

    __tablename__ = "tb_volunteers"
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(unique=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("tb_holders.id"), unique=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)   # 志愿者编号
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    community: Mapped[str] = mapped_column(String(16), index=True)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    kinds: Mapped[list] = mapped_column(JSON, default=list)              # kind codes (skills)
    skills: Mapped[str] = mapped_column(String(500))                     # free text
    availability: Mapped[list] = mapped_column(JSON, default=list)       # slots "1am", "6ev", …
    availability_text: Mapped[str] = mapped_column(String(100), default="")
    certified_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")    # active / left
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    stars: Mapped[int] = mapped_column(Integer, default=0)


class Training(Base):
    """A training record (培训记录) of a volunteer."""

    __tablename__ = "tb_trainings"
    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("tb_volunteers.id"), index=True)
    title: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(128), default="")
    trained_on: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(48))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Team(Base):
    """A volunteer team (志愿团队); its holder owns the team's time."""

    __tablename__ = "tb_teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("tb_holders.id"), unique=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    community: Mapped[str] = mapped_column(String(16), index=True)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("tb_volunteers.id"))
    categories: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")


class TeamMember(Base):
    __tablename__ = "tb_team_members"
    team_id: Mapped[int] = mapped_column(ForeignKey("tb_teams.id"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("tb_volunteers.id"), primary_key=True)
    joined_on: Mapped[dt.date] = mapped_column(Date)


class Relation(Base):
    """A verified family relation: ``relative`` is ``relation`` of ``holder`` (e.g. child)."""

    __tablename__ = "tb_relations"
    __table_args__ = (UniqueConstraint("holder_id", "relative_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("tb_holders.id"), index=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("tb_holders.id"))
    relation: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(String(200), default="")   # e.g. 户口簿 checked
    verified_by: Mapped[str] = mapped_column(String(48))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


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


class ServiceKind(Base):
    """A change to the default list of kinds of service (rename, switch off, add)."""

    __tablename__ = "tb_service_kinds"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
