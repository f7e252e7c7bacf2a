"""Checks of the four services (资格/信用核查). Pure reads; results are stored as evidence.

The core runs them at acceptance and again at decision. Dishonest operators are found by
the core's ready-made :data:`core.credit.DISHONEST_APPLICANT` (serious blocks, general warns
and the worker records why accepting); family members are checked here the same way.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.api import CREDIT_LEVELS as LEVELS
from core.api import (
    Application,
    Check,
    CheckContext,
    CheckResult,
    State,
    broken_commitments_since,
    today,
)
from core.api import active_credit_records as active_records
from core.api import credit_list_version as list_version

from plugins.business_license.domain import catalog, lookups, names
from plugins.business_license.forms.fields import parse_members
from plugins.business_license.models import ACTIVE, FoodPermit

COMMITMENT_LOOKBACK = dt.timedelta(days=3 * 365)
PRESENT = ("paper", "scan")


def _has(ctx: CheckContext, code: str) -> bool:
    return ctx.materials.get(code) in PRESENT


# -- operator and family -------------------------------------------------------------------

def _operator_is_applicant(ctx: CheckContext) -> CheckResult:
    number = (ctx.form_data.get("operator_id_number") or "").upper()
    if ctx.applicant.kind != "person":
        return CheckResult.block("个体工商户的经营者须为自然人")
    if number != ctx.applicant.id_number:
        return CheckResult.block("申请表中的经营者与申请人不是同一人：经营者须由申请人本人担任",
                                 hit=True, matched={"operator_id_number": number[:4] + "…"})
    return CheckResult.passed("经营者为申请人本人")


def _family_credit(ctx: CheckContext) -> CheckResult:
    members = parse_members(ctx.form_data.get("family_members"))
    if ctx.form_data.get("organisation_form") != "family" or not members:
        return CheckResult.passed("个人经营，无需核查家庭成员")
    version = list_version(ctx.session)
    on = today(ctx.now)
    serious, general = [], []
    for member in members:
        for record in active_records(ctx.session, "person", member.get("id_number", ""), on):
            (serious if record.level == "serious" else general).append((member, record))
    if not serious and not general:
        return CheckResult.passed(f"{len(members)}名参加经营的家庭成员均未查询到失信记录",
                                  list_version=version)
    member, record = (serious or general)[0]
    reason = (f"参加经营的家庭成员{member.get('name', '')}（{member.get('relation', '')}）"
              f"{LEVELS[record.level]}：{record.reason}（{record.source_department}）")
    kw = {"hit": True, "matched": record.as_evidence(), "list_version": version}
    if serious:
        return CheckResult.block(reason, **kw)
    return CheckResult.warn(reason + "；如仍受理，请记录理由", **kw)


def _family_proof(ctx: CheckContext) -> CheckResult:
    if ctx.form_data.get("organisation_form") != "family":
        return CheckResult.passed("个人经营，无需家庭成员关系证明")
    if _has(ctx, "family_proof"):
        return CheckResult.passed("已提交家庭成员关系证明")
    return CheckResult.block("家庭经营须提交家庭成员关系证明（户口簿或结婚证等），请一次性告知补正")


# -- names ---------------------------------------------------------------------------------

def _name_result(ctx: CheckContext, trade: str, industry: str, form: str,
                 exclude_business_id: int | None = None) -> CheckResult:
    own = names.compose(trade, industry, form)
    bad = names.forbidden_message(own)
    if bad:
        return CheckResult.block(f"名称“{own}”{bad}", hit=True, matched={"name": own})
    clash = lookups.name_clash(ctx.session, trade, industry, form,
                               exclude_business_id=exclude_business_id)
    if clash is not None:
        return CheckResult.block(clash.message, hit=True, matched=clash.evidence())
    pending = lookups.pending_name_clash(ctx.session, names.name_key(own), ctx.applicant.id)
    if pending is not None:
        # Not yet registered: the first to be approved gets the name; this one may still be
        # accepted (with a recorded reason) and is blocked at decision if the other wins.
        return CheckResult.warn(pending.message + "；如对方先获核准，本申请将不能核准",
                                hit=True, matched=pending.evidence())
    return CheckResult.passed(f"名称“{own}”未与本区已登记或在办的名称相同或近似")


def _name_conflict(ctx: CheckContext) -> CheckResult:
    data = ctx.form_data
    return _name_result(ctx, data.get("trade_name", ""), data.get("industry", ""),
                        data.get("name_form", ""))


def _change_name_conflict(ctx: CheckContext) -> CheckResult:
    data = ctx.form_data
    if not data.get("change_name"):
        return CheckResult.passed("不变更名称")
    business = lookups.business_by_code(ctx.session, data.get("credit_code", ""))
    return _name_result(ctx, data.get("trade_name", ""), data.get("industry", ""),
                        data.get("name_form", ""), exclude_business_id=business.id if business else None)


# -- premises and commitments --------------------------------------------------------------

def _broken_commitments(ctx: CheckContext) -> CheckResult | None:
    broken = broken_commitments_since(ctx.session, ctx.applicant.id, ctx.now - COMMITMENT_LOOKBACK)
    if not broken:
        return None
    latest = max(broken, key=lambda c: c.verified_at)
    return CheckResult.block(
        f"申请人于{latest.verified_at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y年%m月%d日}"
        f"被认定违反告知承诺（{latest.note or latest.service_code}），三年内不得适用告知承诺制",
        hit=True, matched={"commitment_id": latest.id, "service_code": latest.service_code,
                           "verified_at": latest.verified_at.isoformat(), "note": latest.note,
                           "count": len(broken)})


def _premises_path(ctx: CheckContext, *, needed: bool = True) -> CheckResult:
    if not needed:
        return CheckResult.passed("不涉及经营场所")
    if _has(ctx, "premises_proof"):
        return CheckResult.passed("已提交经营场所使用证明")
    if not _has(ctx, "premises_commitment"):
        return CheckResult.block("未提交经营场所使用证明，也未签署住所（经营场所）承诺书")
    blocked = _broken_commitments(ctx)
    if blocked is not None:
        return CheckResult.block(blocked.reasons[0] + "；请提交经营场所使用证明",
                                 hit=True, matched=blocked.matched)
    return CheckResult.passed("以住所（经营场所）承诺书代替场所证明；近三年无违反承诺记录，"
                              "核准后将安排现场核查")


def _registration_premises(ctx: CheckContext) -> CheckResult:
    return _premises_path(ctx)


def _change_premises(ctx: CheckContext) -> CheckResult:
    return _premises_path(ctx, needed=bool(ctx.form_data.get("change_premises")))


def _permit_commitment(ctx: CheckContext) -> CheckResult:
    blocked = _broken_commitments(ctx)
    if blocked is not None:
        return CheckResult.block(blocked.reasons[0] + "；请按一般程序申请食品经营许可",
                                 hit=True, matched=blocked.matched)
    return CheckResult.passed("近三年无违反告知承诺记录，可适用告知承诺制")


# -- plausibility and scopes ---------------------------------------------------------------

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
        return None, CheckResult.block(f"“{business.name}”已于{business.deregistered_on}注销登记",
                                       hit=True, matched=evidence)
    if business.operator_id_number != ctx.applicant.id_number:
        return None, CheckResult.block(f"申请人不是“{business.name}”的经营者，不能办理", hit=True,
                                       matched=evidence)
    return business, None


def _business_owned(ctx: CheckContext) -> CheckResult:
    business, blocked = _owned_business(ctx)
    if blocked is not None:
        return blocked
    return CheckResult.passed(f"“{business.name}”为申请人经营的存续个体工商户",
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
            f"“{business.name}”的经营范围不含“{catalog.SCOPES[scope][0]}”，请先办理变更登记",
            hit=True, matched={"credit_code": business.credit_code, "scopes": business.scopes})
    held = ctx.session.scalar(select(FoodPermit).where(
        FoodPermit.business_id == business.id, FoodPermit.status == "valid",
        FoodPermit.category == category))
    if held is not None:
        return CheckResult.block(f"“{business.name}”已持有有效的食品经营许可证 {held.permit_no}",
                                 hit=True, matched={"permit_no": held.permit_no})
    return CheckResult.passed(f"“{business.name}”经营范围包含{catalog.SCOPES[scope][0] if scope else '食品经营'}",
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


OPERATOR_IS_APPLICANT = Check("business_license.operator", "经营者身份核查", _operator_is_applicant)
FAMILY_CREDIT = Check("business_license.family_credit", "家庭成员失信核查", _family_credit,
                      "参加经营的家庭成员在失信名单上：严重失信阻止受理，一般失信提示")
FAMILY_PROOF = Check("business_license.family_proof", "家庭成员关系证明", _family_proof)
NAME_CONFLICT = Check("business_license.name_conflict", "名称冲突核查", _name_conflict,
                      "与本区已登记名称相同或字号、行业相同的近似名称，及他人在先申请的名称")
CHANGE_NAME_CONFLICT = Check("business_license.name_conflict", "名称冲突核查", _change_name_conflict)
PREMISES = Check("business_license.premises", "经营场所与住所承诺核查", _registration_premises,
                 "近三年有违反承诺记录的，不得以承诺书代替场所证明")
CHANGE_PREMISES = Check("business_license.premises", "经营场所与住所承诺核查", _change_premises)
PLAUSIBILITY = Check("business_license.plausibility", "资金与人数合理性", _plausible)
PERMIT_SCOPES = Check("business_license.permit_scopes", "许可项目提示", _permit_scopes)
CHANGE_SCOPES = Check("business_license.permit_scopes", "许可项目提示", _change_scopes)
BUSINESS_OWNED = Check("business_license.business", "登记主体核查", _business_owned)
DEREGISTRATION_PERMITS = Check("business_license.permits", "名下许可证核查", _deregistration_permits)
PERMIT_COMMITMENT = Check("business_license.commitment", "告知承诺适用核查", _permit_commitment,
                          "近三年有违反告知承诺记录的，不得适用告知承诺制")
PERMIT_BUSINESS = Check("business_license.permit_business", "许可主体核查", _permit_business)
