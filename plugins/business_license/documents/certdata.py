"""``certificate_data``: what the register adds to a certificate before it is rendered.

A licence must never be printed without its credit code: when the register has not caught
up with an approval yet, this raises, so the render job fails and is retried (the core's
render job is must-not-lose) instead of storing a licence that says "（核准后赋码）".
"""
from __future__ import annotations

from sqlalchemy import select

from core.api import InvalidState
from plugins.business_license.domain import catalog, lookups
from plugins.business_license.domain.registry import permit_business
from plugins.business_license.models import (
    BusinessChange,
    FoodPermit,
    RegisteredBusiness,
)


def _business_dict(business: RegisteredBusiness, overlay: dict | None = None) -> dict:
    out = {"name": business.name, "operator_name": business.operator_name,
           "operator_residence": business.operator_residence,
           "organisation_form": business.organisation_form,
           "family_members": list(business.family_members or []), "street": business.street,
           "address": business.address, "scopes": list(business.scopes or []),
           "registered_on": business.registered_on.isoformat()}
    for key in ("name", "address", "scopes", "street", "operator_residence"):
        if overlay and overlay.get(key):
            out[key] = overlay[key]
    return out


def _pending(application, what: str) -> InvalidState:
    return InvalidState(f"{application.number}：{what}尚未写入登记名录，证照稍后生成",
                        code="register_pending")


def certificate_data(application, session) -> dict | None:
    code = application.service_code
    if code not in lookups.SERVICES:
        return None
    if code == lookups.REGISTRATION:
        business = lookups.business_for_application(session, application.id)
        if business is None:
            raise _pending(application, "统一社会信用代码")
        return {"credit_code": business.credit_code, "credit_code_demo": bool(business.credit_code_demo),
                "business": _business_dict(business)}
    if code in (lookups.CHANGE, lookups.DEREGISTRATION):
        change = session.scalar(select(BusinessChange).where(BusinessChange.application_id == application.id))
        if change is None:
            raise _pending(application, "变更或注销")
        business = session.get(RegisteredBusiness, change.business_id)
        extra = {"credit_code": business.credit_code, "credit_code_demo": bool(business.credit_code_demo),
                 "business": _business_dict(business, change.after if code == lookups.CHANGE else None)}
        if code == lookups.DEREGISTRATION and business.deregistered_on:
            extra["deregistered_on"] = business.deregistered_on.isoformat()
        return extra
    permit = session.scalar(select(FoodPermit).where(FoodPermit.application_id == application.id))
    if permit is None:
        raise _pending(application, "食品经营许可证编号")
    business = permit_business(session, application) or session.get(RegisteredBusiness, permit.business_id)
    return {"credit_code": business.credit_code, "business": _business_dict(business),
            "permit_no": permit.permit_no, "valid_until": permit.valid_until.isoformat(),
            "supervisor": f"{catalog.street_name(business.street)}市场监督管理所"}
