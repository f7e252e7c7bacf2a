"""Read-only questions about the register, used by checks, filing, pages and the benchmark.

Each is one or two indexed queries, so a name check against the district's 75,000
businesses stays in the low milliseconds.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Application, State

from plugins.business_license.domain import names
from plugins.business_license.models import ACTIVE, Bundle, RegisteredBusiness

REGISTRATION = "business_license.individual"
CHANGE = "business_license.change"
DEREGISTRATION = "business_license.deregistration"
FOOD_PERMIT = "business_license.food_permit"
SERVICES = (REGISTRATION, CHANGE, DEREGISTRATION, FOOD_PERMIT)


@dataclass(frozen=True)
class NameClash:
    """A registered (or earlier applied-for) name the new one conflicts with."""

    kind: str            # "same" / "similar" / "pending"
    name: str
    credit_code: str | None = None
    application_number: str | None = None

    @property
    def message(self) -> str:
        if self.kind == "same":
            return f"名称与本区已登记的“{self.name}”（统一社会信用代码 {self.credit_code}）相同"
        if self.kind == "similar":
            return (f"名称与本区已登记的“{self.name}”（统一社会信用代码 {self.credit_code}）近似："
                    "字号和行业相同，仅组织形式用字不同")
        return f"名称“{self.name}”已由他人在先申请（申请号 {self.application_number}），正在办理中"

    def evidence(self) -> dict:
        return {"kind": self.kind, "name": self.name, "credit_code": self.credit_code,
                "application_number": self.application_number}


def name_clash(session: Session, trade_name: str, industry: str, name_form: str, *,
               exclude_business_id: int | None = None) -> NameClash | None:
    """The registered business whose name is the same as, or similar to, the proposed one."""
    key = names.compose(trade_name, industry, name_form)
    if not key:
        return None  # no name is used: it cannot be the same as, or similar to, another
    columns = (RegisteredBusiness.name, RegisteredBusiness.credit_code)
    same = select(*columns).where(RegisteredBusiness.name_key == key,
                                  RegisteredBusiness.status == ACTIVE)
    similar = select(*columns).where(
        RegisteredBusiness.trade_name == names.clean(trade_name),
        RegisteredBusiness.industry == names.clean(industry), RegisteredBusiness.status == ACTIVE)
    if exclude_business_id is not None:
        same = same.where(RegisteredBusiness.id != exclude_business_id)
        similar = similar.where(RegisteredBusiness.id != exclude_business_id)
    hit = session.execute(same.limit(1)).first()
    if hit is not None:
        return NameClash("same", hit.name, hit.credit_code)
    hit = session.execute(similar.order_by(RegisteredBusiness.id).limit(1)).first()
    if hit is not None:
        return NameClash("similar", hit.name, hit.credit_code)
    return None


PENDING_STATES = (State.SUBMITTED.value, State.ACCEPTED.value, State.IN_REVIEW.value,
                  State.APPROVED.value)


def pending_name_clash(session: Session, name_key: str, applicant_id: int) -> NameClash | None:
    """Another applicant's registration or renaming with the same name, still being handled.

    Only applications in progress are looked at (a few hundred at most), by the composed
    name kept in their form data (the JSON path works on PostgreSQL and SQLite alike).
    """
    found = session.execute(
        select(Application.number, Application.form_data["business_name"].as_string())
        .where(Application.service_code.in_((REGISTRATION, CHANGE)),
               Application.state.in_((State.ACCEPTED.value, State.IN_REVIEW.value,
                                      State.APPROVED.value)),
               Application.applicant_id != applicant_id,
               Application.form_data["business_name"].as_string() == name_key)
        .limit(1)).first()
    if found is None:
        return None
    return NameClash("pending", found[1], application_number=found[0])


def business_by_code(session: Session, credit_code: str) -> RegisteredBusiness | None:
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    return session.scalar(select(RegisteredBusiness).where(RegisteredBusiness.credit_code == code))


def business_for_application(session: Session, app_id: int) -> RegisteredBusiness | None:
    return session.scalar(select(RegisteredBusiness).where(RegisteredBusiness.application_id == app_id))


def bundle_by_reference(session: Session, reference: str) -> Bundle | None:
    if not reference:
        return None
    return session.scalar(select(Bundle).where(Bundle.reference == reference))


def bundle_for_application(session: Session, app_id: int) -> Bundle | None:
    return session.scalar(select(Bundle).where(
        (Bundle.registration_application_id == app_id) | (Bundle.permit_application_id == app_id)))


def search_businesses(session: Session, *, name: str = "", code: str = "", operator_id: str = "",
                      street: str = "", status: str = "", page: int = 1, per_page: int = 20
                      ) -> tuple[list[RegisteredBusiness], int]:
    """The register filtered by any of name (part of it), credit code, operator ID, street."""
    from sqlalchemy import func
    stmt = select(RegisteredBusiness)
    if name.strip():
        stmt = stmt.where(RegisteredBusiness.name.contains(names.clean(name), autoescape=True))
    if code.strip():
        stmt = stmt.where(RegisteredBusiness.credit_code == code.strip().upper())
    if operator_id.strip():
        stmt = stmt.where(RegisteredBusiness.operator_id_number_index == operator_id)
    if street:
        stmt = stmt.where(RegisteredBusiness.street == street)
    if status:
        stmt = stmt.where(RegisteredBusiness.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(RegisteredBusiness.registered_on.desc(), RegisteredBusiness.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
