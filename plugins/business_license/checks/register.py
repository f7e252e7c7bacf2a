"""Checks against the register: plausible amounts, permit scopes, the business operated by
the applicant, its permits, the business a food permit is for (directly or bundled)."""
from __future__ import annotations

from sqlalchemy import select

from core.api import Application, CheckContext, CheckResult, State
from plugins.business_license.domain import catalog, lookups
from plugins.business_license.models import ACTIVE, FoodPermit


def _plausible(ctx: CheckContext) -> CheckResult:
    capital = int(ctx.form_data.get("capital") or 0)
    employees = int(ctx.form_data.get("employees") or 0)
    family = len(ctx.form_data.get("family_members") or [])
    people = employees + family + 1
    warnings = []
    if employees >= 10 and capital < 2_000 * people:
        warnings.append(f"从业人数{employees}人而资金数额仅{capital:,}元（人均不足2000元），请核实")
    if capital > 10_000_000:
        warnings.append(f"资金数额{capital:,}元，远高于个体工商户通常水平，请核实是否误将“万元”填为“元”")
    if warnings:
        return CheckResult.warn(*warnings, matched={"capital": capital, "employees": employees})
    return CheckResult.passed(f"资金数额{capital:,}元、从业人数{employees}人，合理")


def _scopes_result(codes) -> CheckResult:
    permits = catalog.permits_needed(codes)
    if not permits:
        return CheckResult.passed("经营范围均为一般项目，凭营业执照即可经营")
    text = "；".join(f"{label}须取得{permit}" for label, permit in permits)
    return CheckResult.passed(f"经营范围含许可项目：{text}。取得许可前不得从事该项经营，已告知申请人",
                              hit=True, matched={"permits": [p for _, p in permits]})


def _permit_scopes(ctx: CheckContext) -> CheckResult:
    return _scopes_result(ctx.form_data.get("scopes"))


def _change_scopes(ctx: CheckContext) -> CheckResult:
    if not ctx.form_data.get("new_scopes"):
        return CheckResult.passed("不变更经营范围")
    return _scopes_result(ctx.form_data.get("new_scopes"))


# -- the registered business (change, deregistration, permit) ------------------------------

def _owned_business(ctx: CheckContext):
    """(business, None) when the applicant operates the active business; else (None, block)."""
    code = (ctx.form_data.get("credit_code") or "").upper()
    business = lookups.business_by_code(ctx.session, code)
    if business is None:
        return None, CheckResult.block(f"本区未登记统一社会信用代码为 {code} 的个体工商户", hit=False)
    evidence = {"credit_code": business.credit_code, "name": business.name, "status": business.status}
    if business.status != ACTIVE:
        return None, CheckResult.block(f"“{business.label}”已于{business.deregistered_on}注销登记",
                                       hit=True, matched=evidence)
    if business.operator_id_number != ctx.applicant.id_number:
        return None, CheckResult.block(f"申请人不是“{business.label}”的经营者，不能办理", hit=True,
                                       matched=evidence)
    return business, None


def _business_owned(ctx: CheckContext) -> CheckResult:
    business, blocked = _owned_business(ctx)
    if blocked is not None:
        return blocked
    return CheckResult.passed(f"“{business.label}”为申请人经营的存续个体工商户",
                              matched={"credit_code": business.credit_code, "name": business.name})


def _deregistration_permits(ctx: CheckContext) -> CheckResult:
    business = lookups.business_by_code(ctx.session, ctx.form_data.get("credit_code") or "")
    if business is None:
        return CheckResult.passed("无许可证需一并注销")
    permits = ctx.session.scalars(select(FoodPermit).where(
        FoodPermit.business_id == business.id, FoodPermit.status == "valid")).all()
    if not permits:
        return CheckResult.passed("名下无有效的食品经营许可证")
    numbers = "、".join(p.permit_no for p in permits)
    return CheckResult.passed(f"名下食品经营许可证 {numbers} 将随注销登记一并注销", hit=True,
                              matched={"permits": [p.permit_no for p in permits]})


def _permit_business(ctx: CheckContext) -> CheckResult:
    data = ctx.form_data
    category = data.get("food_category") or ""
    scope = catalog.FOOD_CATEGORY_SCOPE.get(category)
    if data.get("bundle_ref"):
        return _bundled_registration(ctx, data["bundle_ref"])
    business, blocked = _owned_business(ctx)
    if blocked is not None:
        return blocked
    if scope and scope not in (business.scopes or []):
        return CheckResult.block(
            f"“{business.label}”的经营范围不含“{catalog.SCOPES[scope][0]}”，请先办理变更登记",
            hit=True, matched={"credit_code": business.credit_code, "scopes": business.scopes})
    held = ctx.session.scalar(select(FoodPermit).where(
        FoodPermit.business_id == business.id, FoodPermit.status == "valid",
        FoodPermit.category == category))
    if held is not None:
        return CheckResult.block(f"“{business.label}”已持有有效的食品经营许可证 {held.permit_no}",
                                 hit=True, matched={"permit_no": held.permit_no})
    return CheckResult.passed(f"“{business.label}”经营范围包含{catalog.SCOPES[scope][0] if scope else '食品经营'}",
                              matched={"credit_code": business.credit_code})


def _bundled_registration(ctx: CheckContext, reference: str) -> CheckResult:
    bundle = lookups.bundle_by_reference(ctx.session, reference)
    if bundle is None or bundle.registration_application_id is None:
        return CheckResult.block(f"联办编号 {reference} 不存在")
    registration = ctx.session.get(Application, bundle.registration_application_id)
    evidence = {"bundle": reference, "registration": registration.number, "state": registration.state}
    if registration.applicant_id != ctx.applicant.id:
        return CheckResult.block("联办的设立登记申请人与许可申请人不一致", hit=True, matched=evidence)
    if registration.state in (State.REJECTED.value, State.WITHDRAWN.value, State.NOT_ACCEPTED.value):
        return CheckResult.block(f"联办的设立登记（{registration.number}）已{State(registration.state).label}，"
                                 "许可不能单独办理", hit=True, matched=evidence)
    if ctx.phase == "decision":
        business = lookups.business_for_application(ctx.session, registration.id)
        if business is None:
            return CheckResult.block(f"联办的营业执照（{registration.number}）尚未核准，"
                                     "请待营业执照核准赋码后再作许可决定", hit=True, matched=evidence)
        evidence["credit_code"] = business.credit_code
        return CheckResult.passed(f"联办的营业执照已核准，统一社会信用代码 {business.credit_code}",
                                  matched=evidence)
    return CheckResult.passed(f"与设立登记（{registration.number}）联办，营业执照核准后作出许可决定",
                              matched=evidence)
