"""The plugin's own tables (prefix ``bl_``).

* the district register of individual businesses (个体工商户名录) and its change history;
* food permits issued under notification-commitment;
* bundles: two applications filed from one joint form (证照联办);
* number sequences (credit codes, permit numbers), safe under concurrency;
* the supervision feed (批管同步) and the inspection / verification tasks it creates.

Every change to these rows is audited by the module that makes it (core.platform.audit.record in
the same transaction).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, EncryptedJSON, EncryptedString, UTCDateTime, blind_index, now

ACTIVE = "active"
DEREGISTERED = "deregistered"


class RegisteredBusiness(Base):
    """An individual business registered in the district (one row per credit code)."""

    __tablename__ = "bl_registered_businesses"
    __table_args__ = (
        # A name is unique among businesses that are still registered; a deregistered
        # business's name may be taken again.
        Index("ix_bl_registered_businesses_active_name", "name_key", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        # 字号 + 行业 among registered businesses: the "similar name" lookup.
        Index("ix_bl_registered_businesses_trade", "trade_name", "industry", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: As printed (with the district); "" when the business uses no name (条例第八条).
    name: Mapped[str] = mapped_column(String(100), index=True)
    #: 字号+行业+组织形式, normalised; NULL without a name (the unique index skips NULLs).
    name_key: Mapped[str | None] = mapped_column(String(100))
    trade_name: Mapped[str] = mapped_column(String(30), default="")
    industry: Mapped[str] = mapped_column(String(30), default="")
    name_form: Mapped[str] = mapped_column(String(10), default="")
    #: Unique in the database itself: a second business can never get a code already given.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    #: Which ``credit_code_provider`` gave the code, and whether it was a demo/offline one
    #: (not assigned by the national code system; shown so wherever the code is).
    credit_code_source: Mapped[str] = mapped_column(String(32), default="", server_default="")
    credit_code_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: Encrypted at rest (PIPL Art. 51); look-ups by ID go through ``operator_id_number_index``.
    operator_id_number: Mapped[str] = mapped_column(EncryptedString("bl_registered_businesses.operator_id_number"))
    operator_id_number_index: Mapped[str | None] = blind_index("operator_id_number", "id_number")
    operator_name: Mapped[str] = mapped_column(String(30))
    #: 经营者住所, a registration item (条例第八条); "" for businesses registered before it was asked.
    operator_residence: Mapped[str] = mapped_column(String(200), default="", server_default="")
    organisation_form: Mapped[str] = mapped_column(String(16), default="individual")
    #: Names and ID numbers of family members (家庭经营), encrypted as one value.
    family_members: Mapped[list] = mapped_column(
        EncryptedJSON("bl_registered_businesses.family_members"), default=list)
    street: Mapped[str] = mapped_column(String(32), default="", index=True)
    address: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    capital: Mapped[int] = mapped_column(Integer, default=0)
    employees: Mapped[int] = mapped_column(Integer, default=0)
    phone: Mapped[str] = mapped_column(EncryptedString("bl_registered_businesses.phone"), default="")
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    #: Listed as abnormal (经营异常) after a broken premises commitment.
    abnormal: Mapped[bool] = mapped_column(Boolean, default=False)
    abnormal_reason: Mapped[str] = mapped_column(Text, default="")
    registered_on: Mapped[dt.date] = mapped_column(Date)
    changed_on: Mapped[dt.date | None] = mapped_column(Date)
    deregistered_on: Mapped[dt.date | None] = mapped_column(Date)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), unique=True)
    #: The application whose certificate is the licence currently in force.
    licence_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    source: Mapped[str] = mapped_column(String(8), default="app")  # app / demo / import
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def label(self) -> str:
        """The name for messages: the registered name, or who operates a nameless business."""
        from plugins.business_license.domain.names import display_name
        return display_name(self.name, self.operator_name)

    def public(self) -> dict:
        """What lists and the API show (the operator's ID masked)."""
        from core.api import mask_id
        from plugins.business_license.domain.catalog import (
            ORGANISATION_FORMS,
            scope_label,
            street_name,
        )
        return {
            "credit_code": self.credit_code, "credit_code_demo": bool(self.credit_code_demo),
            "credit_code_source": self.credit_code_source, "name": self.name,
            "display_name": self.label, "operator_name": self.operator_name,
            "operator_id": mask_id(self.operator_id_number),
            "organisation_form": ORGANISATION_FORMS.get(self.organisation_form, self.organisation_form),
            "street": self.street, "street_name": street_name(self.street), "address": self.address,
            "scopes": [scope_label(s) for s in self.scopes or []], "status": self.status,
            "status_label": "存续" if self.status == ACTIVE else "已注销",
            "abnormal": bool(self.abnormal),
            "registered_on": self.registered_on.isoformat() if self.registered_on else None,
            "deregistered_on": self.deregistered_on.isoformat() if self.deregistered_on else None,
        }


class BusinessChange(Base):
    """One change or deregistration of a registered business: before and after (留痕)."""

    __tablename__ = "bl_business_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("bl_registered_businesses.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # change / deregistration
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    #: When the new certificate took over from the old licence (set once, by on_issued).
    issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FoodPermit(Base):
    """A food-business permit (食品经营许可证) issued under notification-commitment."""

    __tablename__ = "bl_food_permits"
    id: Mapped[int] = mapped_column(primary_key=True)
    permit_no: Mapped[str] = mapped_column(String(20), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("bl_registered_businesses.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    items: Mapped[list] = mapped_column(JSON, default=list)
    premises: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid / revoked / cancelled
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


FILING_STATUSES = {"pending": "待营业执照核准后备案", "filed": "已备案",
                   "lapsed": "未备案（联办的设立登记未获核准）", "cancelled": "已注销（主体已注销）"}


class FoodFiling(Base):
    """A filing (备案) for selling only prepackaged food: no permit (食品安全法第三十五条).

    Filed from the joint form (证照联办) with the registration; recorded as filed — number,
    receipt — once the licence is approved and the business exists in the register.
    """

    __tablename__ = "bl_food_filings"
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bl_bundles.id"), unique=True)
    registration_application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("bl_registered_businesses.id"), index=True)
    category: Mapped[str] = mapped_column(String(16), default="food_sales")
    items: Mapped[list] = mapped_column(JSON, default=list)
    premises: Mapped[str] = mapped_column(String(200))
    area: Mapped[int] = mapped_column(Integer, default=0)
    safety_manager: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Bundle(Base):
    """Applications filed from one joint form (证照联办): the licence and the permit — or, for
    prepackaged food only, the licence and a filing (:class:`FoodFiling`, no permit)."""

    __tablename__ = "bl_bundles"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    registration_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), unique=True)
    permit_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(48), default="")
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Sequence(Base):
    """Named counters (credit-code serials per region, permit numbers), bumped atomically."""

    __tablename__ = "bl_sequences"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SupervisionRecord(Base):
    """One approval pushed to the supervision feed (批管同步)."""

    __tablename__ = "bl_supervision_feed"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    application_number: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # registration / change / deregistration / food_permit
    business_id: Mapped[int | None] = mapped_column(ForeignKey("bl_registered_businesses.id"))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    business_name: Mapped[str] = mapped_column(String(100), default="")
    operator_name: Mapped[str] = mapped_column(String(30), default="")
    street: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    permit_no: Mapped[str] = mapped_column(String(20), default="")
    by_commitment: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    pushed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, index=True)
    push_day: Mapped[dt.date] = mapped_column(Date)


TASK_KINDS = {"routine": "新设主体首次检查", "premises_commitment": "住所承诺核查",
              "permit_commitment": "告知承诺核查"}
TASK_STATUSES = {"open": "待核查", "kept": "已核查·履行承诺", "rectifying": "限期整改中",
                 "corrected": "已整改·符合承诺", "broken": "违反承诺·已处理",
                 "done": "已检查", "cancelled": "已撤销（主体已注销）"}


class InspectionTask(Base):
    """An inspection or commitment-verification task for a street's enforcement team."""

    __tablename__ = "bl_inspection_tasks"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    business_id: Mapped[int] = mapped_column(ForeignKey("bl_registered_businesses.id"), index=True)
    permit_id: Mapped[int | None] = mapped_column(ForeignKey("bl_food_permits.id"))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    department_code: Mapped[str] = mapped_column(String(64))
    street: Mapped[str] = mapped_column(String(32), index=True)
    team: Mapped[str] = mapped_column(String(64))
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    result_note: Mapped[str] = mapped_column(Text, default="")
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CommitmentCase(Base):
    """What followed a commitment found not met on site (告知承诺 verified after issuing):
    the finding, the order to correct within a period (限期整改), the re-inspection, and — only
    when not corrected, or at once when the commitment was false — the consequence. Each step's
    letter is a document of this plugin's own kinds (:mod:`..documents.commitment_letters`).
    """

    __tablename__ = "bl_commitment_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("bl_inspection_tasks.id"), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("bl_registered_businesses.id"), index=True)
    #: "not_met" (conditions not met: order to correct) or "false" (the commitment was false)
    finding: Mapped[str] = mapped_column(String(16))
    findings: Mapped[str] = mapped_column(Text)
    found_on: Mapped[dt.date] = mapped_column(Date)
    found_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    #: rectifying / corrected / consequence (permit revoked or business listed abnormal)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reinspected_on: Mapped[dt.date | None] = mapped_column(Date)
    reinspected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reinspection_note: Mapped[str] = mapped_column(Text, default="")
    order_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    reinspection_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    decision_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    credit_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
