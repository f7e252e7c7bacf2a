"""Premises proof or the premises commitment, and whether 告知承诺 is still open to the
applicant (closed for three years after a broken commitment)."""
from __future__ import annotations

import datetime as dt

from core.api import CheckContext, CheckResult, broken_commitments_since
from plugins.business_license.checks.people import has

COMMITMENT_LOOKBACK = dt.timedelta(days=3 * 365)


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
    if has(ctx, "premises_proof"):
        return CheckResult.passed("已提交经营场所使用证明")
    if not has(ctx, "premises_commitment"):
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
