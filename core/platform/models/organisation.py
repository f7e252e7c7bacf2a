"""Who works where: approving departments, centres (and the services they may accept), staff
and their role grants, and the working-day calendar overrides.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.platform.clock import now
from core.platform.crypto import EncryptedString
from core.platform.db import Base, UTCDateTime
from core.platform.models.enums import Role


class Department(Base):
    """A department that approves services (审批部门)."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))


class Centre(Base):
    """A service centre or station; centres form a tree (district → street → community)."""

    __tablename__ = "centres"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    address: Mapped[str] = mapped_column(String(256), default="")

    parent: Mapped["Centre | None"] = relationship(remote_side="Centre.id", back_populates="children")
    children: Mapped[list["Centre"]] = relationship(back_populates="parent")
    services: Mapped[list["CentreService"]] = relationship(cascade="all, delete-orphan")

    def may_accept(self, service_code: str) -> bool:
        return any(s.service_code == service_code for s in self.services)


class CentreService(Base):
    """A service a centre is authorised to accept (授权受理事项)."""

    __tablename__ = "centre_services"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(96), primary_key=True)


class User(Base):
    """A staff member."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    phone: Mapped[str] = mapped_column(EncryptedString("users.phone"), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    #: In every signed-in session; bumped on logout, password change, role change and
    #: deactivation, which ends every session (a copied cookie stops working).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    centre: Mapped[Centre | None] = relationship()
    grants: Mapped[list["RoleGrant"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def has_role(self, role: Role, department: str | None = None) -> bool:
        return any(g.role == role.value and (department is None or g.department_code == department)
                   for g in self.grants)

    def departments(self, role: Role) -> set[str]:
        return {g.department_code for g in self.grants if g.role == role.value and g.department_code}

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "department_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(64))


class CalendarDay(Base):
    """An admin-loaded calendar override for years chinesecalendar does not cover."""

    __tablename__ = "calendar_days"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
