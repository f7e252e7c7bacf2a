"""The core's tables: centres, departments, staff, citizens, applicants, applications,
materials, decisions, check evidence, clock pauses, documents, deliveries, outbox.

Audit events live in :mod:`core.platform.audit`, credit records in :mod:`core.credit`; plugins add
their own tables on :class:`core.platform.db.Base`.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.platform.clock import now
from core.platform.db import Base, UTCDateTime


class Role(str, enum.Enum):
    """Staff roles. Approver, department lead and inspector are scoped to one department
    (an inspector — 执法检查人员, of the street's enforcement team — records the results of the
    department's inspection and commitment-verification tasks)."""

    COUNTER = "counter"            # 全科社工 (front desk, accepts)
    AGENT = "agent"                # 代办员 (files on a citizen's behalf)
    APPROVER = "approver"          # 审批人员 of a department
    DEPT_LEAD = "dept_lead"        # 部门负责人: assigns, extends deadlines
    CENTRE_ADMIN = "centre_admin"  # 中心管理员
    SYS_ADMIN = "sys_admin"        # 系统管理员
    AUDITOR = "auditor"            # 审计/监察
    INSPECTOR = "inspector"        # 执法检查人员 of a department: records inspection results

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COUNTER: "全科社工", Role.AGENT: "代办员", Role.APPROVER: "审批人员",
    Role.DEPT_LEAD: "部门负责人", Role.CENTRE_ADMIN: "中心管理员",
    Role.SYS_ADMIN: "系统管理员", Role.AUDITOR: "审计人员", Role.INSPECTOR: "执法检查人员",
}
DEPARTMENT_ROLES = frozenset({Role.APPROVER, Role.DEPT_LEAD, Role.INSPECTOR})


class State(str, enum.Enum):
    """Application states (DESIGN §4)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CORRECTION_REQUESTED = "correction_requested"
    NOT_ACCEPTED = "not_accepted"
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.DRAFT: "草稿", State.SUBMITTED: "已提交待受理", State.CORRECTION_REQUESTED: "待补正",
    State.NOT_ACCEPTED: "不予受理", State.ACCEPTED: "已受理", State.IN_REVIEW: "审批中",
    State.APPROVED: "已批准", State.REJECTED: "不予批准", State.ISSUED: "已出证",
    State.DELIVERED: "已送达", State.WITHDRAWN: "已撤回",
}
FINAL_STATES = frozenset({State.NOT_ACCEPTED, State.REJECTED, State.DELIVERED, State.WITHDRAWN})


class CentreLevel(str, enum.Enum):
    DISTRICT = "district"    # 区政务服务中心
    STREET = "street"        # 街道便民服务中心
    COMMUNITY = "community"  # 社区便民服务站


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
    phone: Mapped[str] = mapped_column(String(20), default="")
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


class Applicant(Base):
    """A person (resident ID) or an enterprise (unified social credit code) — 申请人."""

    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("kind", "id_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "person" or "enterprise"
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(20), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(8), default="")
    region_code: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Citizen(Base):
    """A portal account, identified by a phone number (市民)."""

    __tablename__ = "citizens"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # as User's

    applicant: Mapped[Applicant | None] = relationship()


class Application(Base):
    """One application for one service (办件), moving through :mod:`core.workflow`."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_queue", "department_code", "state", "overdue", "due_date"),
        Index("ix_applications_applicant", "applicant_id", "created_at"),
        # the counter workbench: "filed by me / accepted by me today", "ready for pick-up here"
        Index("ix_applications_filed_by", "filed_by_id", "created_at"),
        Index("ix_applications_accepted_by", "accepted_by_id", "accepted_at"),
        Index("ix_applications_pickup", "pickup_centre_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    service_code: Mapped[str] = mapped_column(String(96), index=True)
    department_code: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(24), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    pickup_centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    delivery_method: Mapped[str] = mapped_column(String(16), default="pickup")
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    receipt_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    warn_reason: Mapped[str] = mapped_column(Text, default="")
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    deadline_working_days: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_since: Mapped[dt.date | None] = mapped_column(Date)
    identity_passed: Mapped[list] = mapped_column(JSON, default=list)  # remote steps passed
    #: The service's legal clock (LegalClock.to_record()) as it stood when the application was
    #: received; NULL = the service's current declaration (applications from before 0.2).
    clock_rule: Mapped[dict | None] = mapped_column(JSON)
    #: An outcome the law attaches to inaction (视为受理 "accepted", 视为撤回 "withdrawn").
    deemed: Mapped[str] = mapped_column(String(16), default="", server_default="")

    applicant: Mapped[Applicant] = relationship(lazy="joined")
    centre: Mapped[Centre | None] = relationship(foreign_keys=[centre_id])
    materials: Mapped[list["Material"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Material.id")
    pauses: Mapped[list["ClockPause"]] = relationship(
        cascade="all, delete-orphan", order_by="ClockPause.id")
    decisions: Mapped[list["Decision"]] = relationship(
        cascade="all, delete-orphan", order_by="Decision.id")
    evidence: Mapped[list["CheckEvidence"]] = relationship(
        cascade="all, delete-orphan", order_by="CheckEvidence.id")

    @property
    def state_enum(self) -> State:
        return State(self.state)


class MaterialStatus(str, enum.Enum):
    PAPER = "paper"          # 纸质原件已收
    SCAN = "scan"            # 电子件/扫描件
    MISSING = "missing"      # 缺少
    DEFECTIVE = "defective"  # 有瑕疵，需补正


class Material(Base):
    """A material received with an application; scans are stored by sha256."""

    __tablename__ = "materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    application: Mapped[Application] = relationship(back_populates="materials")


class Decision(Base):
    """A written decision on an application: return (补正), refuse, approve, reject."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text, default="")
    gaps: Mapped[list] = mapped_column(JSON, default=list)
    correction_due: Mapped[dt.date | None] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class ClockPause(Base):
    """A stretch of time that does not count towards the deadline (中止计时)."""

    __tablename__ = "clock_pauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CheckEvidence(Base):
    """A check's result kept as evidence: which check, list version, when, hit, match."""

    __tablename__ = "check_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    phase: Mapped[str] = mapped_column(String(16))  # acceptance / decision
    check_code: Mapped[str] = mapped_column(String(96))
    check_name: Mapped[str] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    hit: Mapped[bool] = mapped_column(Boolean, default=False)
    matched: Mapped[dict | None] = mapped_column(JSON)
    list_version: Mapped[str | None] = mapped_column(String(64))
    queried_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ReceiptSequence(Base):
    """Per centre and day counter behind receipt numbers (受理编号)."""

    __tablename__ = "receipt_sequences"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CalendarDay(Base):
    """An admin-loaded calendar override for years chinesecalendar does not cover."""

    __tablename__ = "calendar_days"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")


class Document(Base):
    """An issued document (receipt, notice, decision letter, certificate) with its
    verification code; re-issuing supersedes, revoking marks it revoked."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(48))
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid/revoked/superseded
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    sha256: Mapped[str] = mapped_column(String(64), default="")
    storage_key: Mapped[str] = mapped_column(String(255), default="")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")


class Delivery(Base):
    """Handover at a centre (同城取件) or courier dispatch (邮寄) of a result."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # pickup / courier
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_name: Mapped[str] = mapped_column(String(64), default="")
    recipient_id_number: Mapped[str] = mapped_column(String(32), default="")
    identity_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    tracking_no: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class OutboxMessage(Base):
    """A notification written in the same transaction as the state change (outbox)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    event: Mapped[str] = mapped_column(String(48))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(16))  # citizen / department / centre
    recipient: Mapped[str] = mapped_column(String(96))
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
