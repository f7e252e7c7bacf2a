"""Checks for business registration: name conflict and plausibility (credit via the core)."""
from sqlalchemy import select

from core.services import Check, CheckContext, CheckResult

from .models import RegisteredBusiness

FORBIDDEN_WORDS = ("中国", "中华", "国家", "全国", "国际")


def _name(ctx: CheckContext) -> CheckResult:
    name = (ctx.form_data.get("business_name") or "").strip()
    bad = [w for w in FORBIDDEN_WORDS if w in name]
    if bad:
        return CheckResult.block(f"名称含有不得使用的文字：{'、'.join(bad)}")
    clash = ctx.session.scalar(select(RegisteredBusiness).where(
        RegisteredBusiness.name == name, RegisteredBusiness.status == "active"))
    if clash is not None:
        return CheckResult.block(f"名称与已登记的“{clash.name}”相同", hit=True,
                                 matched={"name": clash.name, "credit_code": clash.credit_code})
    return CheckResult.passed("名称未与本区已登记名称冲突")


def _plausible(ctx: CheckContext) -> CheckResult:
    capital = int(ctx.form_data.get("capital") or 0)
    employees = int(ctx.form_data.get("employees") or 0)
    if employees > 50 and capital < 50_000:
        return CheckResult.warn(f"从业人数{employees}人而资金仅{capital}元，请核实")
    return CheckResult.passed("资金与从业人数合理")


NAME_CONFLICT = Check("business_license.name_conflict", "名称冲突核查", _name)
PLAUSIBILITY = Check("business_license.plausibility", "资金与人数合理性", _plausible)
