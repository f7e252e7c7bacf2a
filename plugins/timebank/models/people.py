"""People and teams: holders (who owns time), volunteer profiles, training records, teams
and their members, verified family relations."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, EncryptedString, UTCDateTime, now


class Holder(Base):
    """Someone who owns time: a person (volunteer or service recipient) or a team."""

    __tablename__ = "tb_holders"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))                      # person / team
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    community: Mapped[str] = mapped_column(String(16), index=True)    # home community
    status: Mapped[str] = mapped_column(String(8), default="active")  # active / closed
    #: The audit subject: a person's ID number (encrypted at rest), ``团队:<name>`` for a team.
    subject: Mapped[str] = mapped_column(EncryptedString("tb_holders.subject"), default="")
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    loan_exception: Mapped[str] = mapped_column(Text, default="")     # why eligible despite the rule
    #: Home address (with ``lives_alone``, who is alone where): encrypted at rest.
    address: Mapped[str] = mapped_column(EncryptedString("tb_holders.address"), default="")
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
