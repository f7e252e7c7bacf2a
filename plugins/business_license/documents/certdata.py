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


#: 个体工商户 licences carry no term: valid until deregistered, revoked or replaced.
LICENCE_VALIDITY = "长期（营业执照未被注销、吊销或换发前有效）"


def _day(value) -> str:
    import datetime as dt
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _public(business: dict, credit_code: str, *rows: tuple[str, str]) -> list[tuple[str, str]]:
    """What the public verification page shows (``public_fields``): the business's name and
    credit code and the certificate's own dates — public register data, never the operator's
    name, residence or family members."""
    name = [("名称", business["name"])] if business.get("name") else []
    return [*name, ("统一社会信用代码", credit_code), *rows]


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
        shown = _business_dict(business)
        return {"credit_code": business.credit_code, "credit_code_demo": bool(business.credit_code_demo),
                "business": shown,
                "public_fields": _public(shown, business.credit_code,
                                         ("注册日期", _day(shown["registered_on"])),
                                         ("有效期", LICENCE_VALIDITY))}
    if code in (lookups.CHANGE, lookups.DEREGISTRATION):
        change = session.scalar(select(BusinessChange).where(BusinessChange.application_id == application.id))
        if change is None:
            raise _pending(application, "变更或注销")
        business = session.get(RegisteredBusiness, change.business_id)
        extra = {"credit_code": business.credit_code, "credit_code_demo": bool(business.credit_code_demo),
                 "business": _business_dict(business, change.after if code == lookups.CHANGE else None)}
        if code == lookups.DEREGISTRATION and business.deregistered_on:
            extra["deregistered_on"] = business.deregistered_on.isoformat()
        shown = extra["business"]
        extra["public_fields"] = _public(shown, business.credit_code, *(
            [("注销日期", _day(business.deregistered_on))] if code == lookups.DEREGISTRATION
            and business.deregistered_on else
            [("注册日期", _day(shown["registered_on"])),
             ("有效期", LICENCE_VALIDITY)]))
        return extra
    permit = session.scalar(select(FoodPermit).where(FoodPermit.application_id == application.id))
    if permit is None:
        raise _pending(application, "食品经营许可证编号")
    business = permit_business(session, application) or session.get(RegisteredBusiness, permit.business_id)
    shown = _business_dict(business)
    holder = [("经营者名称", shown["name"])] if shown["name"] else []
    return {"credit_code": business.credit_code, "business": shown,
            "public_fields": [*holder, ("社会信用代码", business.credit_code),
                              ("许可证编号", permit.permit_no), ("有效期至", _day(permit.valid_until))],
            "permit_no": permit.permit_no, "valid_until": permit.valid_until.isoformat(),
            "supervisor": f"{catalog.street_name(business.street)}市场监督管理所"}
