"""The name-conflict check: same or similar registered names, names applied for by others."""
from __future__ import annotations

from core.api import CheckContext, CheckResult
from plugins.business_license.domain import law, lookups, names


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
    if not names.compose(data.get("trade_name", ""), data.get("industry", ""), data.get("name_form", "")):
        # Without a name there is nothing to conflict with: the check is skipped, saying why.
        return CheckResult.passed(f"未使用名称，不作名称冲突核查（{law.NAME_OPTIONAL}）")
    return _name_result(ctx, data.get("trade_name", ""), data.get("industry", ""),
                        data.get("name_form", ""))


def _change_name_conflict(ctx: CheckContext) -> CheckResult:
    data = ctx.form_data
    if not data.get("change_name"):
        return CheckResult.passed("不变更名称")
    business = lookups.business_by_code(ctx.session, data.get("credit_code", ""))
    return _name_result(ctx, data.get("trade_name", ""), data.get("industry", ""),
                        data.get("name_form", ""), exclude_business_id=business.id if business else None)
