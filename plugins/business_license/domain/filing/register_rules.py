"""What only the register can tell about a form — :func:`register_errors`, this plugin's
``validate_application`` answer — and filing one application of this plugin's services.

A name already taken (the clashing name shown), a business the applicant does not operate,
a commitment path closed by a broken commitment: each on the right field, on every filing
path (counter, agent, portal, API), so nothing is saved for input that could never be
accepted. The same rules run again as checks at acceptance and decision (a name can be
taken in between).
"""
from __future__ import annotations

from typing import Iterable

from core.api import (
    Applicant,
    Application,
    InvalidInput,
    NotFound,
    Upload,
    broken_commitments_since,
    file_application,
    local_date,
    now,
    today,
)
from plugins.business_license.checks import COMMITMENT_LOOKBACK
from plugins.business_license.domain import capacity, catalog, lookups
from plugins.business_license.models import ACTIVE

FORM_ERROR = "申请表填写有误，请按提示修改"


def _invalid(fields: dict[str, list[str]]) -> InvalidInput:
    first = next(iter(fields))
    return InvalidInput(FORM_ERROR, code="invalid_form", field=first, details={"fields": fields})


def _owned(session, clean: dict, applicant: Applicant, errors: dict) -> object | None:
    business = lookups.business_by_code(session, clean.get("credit_code") or "")
    if business is None:
        errors["credit_code"] = [f"本区未登记统一社会信用代码为 {clean.get('credit_code')} 的个体工商户"]
    elif business.status != ACTIVE:
        errors["credit_code"] = [f"“{business.label}”已注销登记"]
    elif business.operator_id_number != applicant.id_number:
        errors["credit_code"] = [f"申请人不是“{business.label}”的经营者"]
    else:
        return business
    return None


def _commitment_closed(session, applicant: Applicant) -> str | None:
    broken = broken_commitments_since(session, applicant.id, now() - COMMITMENT_LOOKBACK)
    if not broken:
        return None
    latest = max(broken, key=lambda c: c.verified_at)
    return (f"{local_date(latest.verified_at):%Y年%m月%d日}曾被认定违反告知承诺，"
            "三年内不得适用告知承诺制")


def register_errors(session, service_code: str, clean: dict, applicant: Applicant,
                    materials: set[str], *, check_materials: bool = True) -> dict[str, list[str]]:
    """Field → messages for what only the register can tell (empty when all is well).

    ``check_materials=False`` (a portal draft, materials still to come) leaves out the premises
    proof-or-commitment rule."""
    errors: dict[str, list[str]] = {}
    if service_code == lookups.REGISTRATION:
        if clean["operator_id_number"] != applicant.id_number:
            errors["operator_id_number"] = ["经营者须为申请人本人：身份证号码与申请人不一致"]
        clash = lookups.name_clash(session, clean["trade_name"], clean["industry"], clean["name_form"]) \
            if clean.get("business_name") else None  # no name used (条例第八条): nothing to clash
        if clash is not None:
            errors["trade_name"] = [clash.message]
        years = capacity.age(clean["operator_id_number"], today())
        if check_materials and capacity.needs_income_proof(years) and capacity.INCOME_PROOF not in materials:
            # keyed by the material: filed, not accepted until handed in, on the one-time notice
            errors[capacity.INCOME_PROOF] = [capacity.income_proof_message(years)]
        if check_materials and "premises_proof" not in materials:
            if "premises_commitment" not in materials:
                errors["premises_proof"] = ["请提交经营场所使用证明，或签署住所（经营场所）承诺书代替"]
            else:
                closed = _commitment_closed(session, applicant)
                if closed:  # the commitment no longer stands in: the proof is what is missing
                    errors["premises_proof"] = [closed + "，请提交经营场所使用证明"]
    elif service_code == lookups.CHANGE:
        business = _owned(session, clean, applicant, errors)
        if business is not None and clean.get("change_name"):
            clash = lookups.name_clash(session, clean["trade_name"], clean["industry"],
                                       clean["name_form"], exclude_business_id=business.id)
            if clash is not None:
                errors["trade_name"] = [clash.message]
        if check_materials and clean.get("change_premises") and "premises_proof" not in materials:
            if "premises_commitment" not in materials:
                errors["premises_proof"] = ["变更经营场所须提交新场所使用证明，或签署住所（经营场所）承诺书代替"]
            else:
                closed = _commitment_closed(session, applicant)
                if closed:  # the commitment no longer stands in: the proof is what is missing
                    errors["premises_proof"] = [closed + "，请提交经营场所使用证明"]
    elif service_code == lookups.DEREGISTRATION:
        _owned(session, clean, applicant, errors)
    elif service_code == lookups.FOOD_PERMIT:
        if not clean.get("bundle_ref"):
            business = _owned(session, clean, applicant, errors)
            scope = catalog.FOOD_CATEGORY_SCOPE.get(clean.get("food_category"))
            if business is not None and scope not in (business.scopes or []):
                errors["food_category"] = [f"“{business.label}”的经营范围不含“{catalog.SCOPES[scope][0]}”，"
                                           "请先办理变更登记"]
        closed = _commitment_closed(session, applicant)
        if closed:
            errors["food_commitment"] = [closed + "，请按一般程序申请"]
    return errors


def _materials(paper: Iterable[str], uploads: Iterable[Upload]) -> set[str]:
    return set(paper) | {u.material_code for u in uploads}


def file(quanke, actor, *, service_code: str, applicant_id: int, form_data: dict,
         paper: Iterable[str] = (), uploads: Iterable[Upload] = (), **options) -> Application:
    """File one application of this plugin's services.

    ``options`` go to :func:`core.acceptance.filing.file_application` (consent, idempotency_key, ...),
    which checks the register through this plugin's ``validate_application`` hook, as it
    does for the core's counter, portal and API filing.
    """
    service = quanke.service(service_code)
    if service.plugin != "business_license":
        raise NotFound(f"未知的办事事项：{service_code}", code="unknown_service")
    return file_application(quanke, actor, service_code=service_code,
                                     applicant_id=applicant_id, form_data=form_data,
                                     paper=paper, uploads=uploads, **options)
