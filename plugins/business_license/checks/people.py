"""Checks on the operator and the family members: the operator is the applicant, family
members' credit, proof of the family relationship."""
from __future__ import annotations

from core.api import CREDIT_LEVELS as LEVELS
from core.api import CheckContext, CheckResult, local_date, today
from core.api import active_credit_records as active_records
from core.api import credit_list_version as list_version
from plugins.business_license.domain import capacity, law
from plugins.business_license.forms.fields import parse_members

PRESENT = ("paper", "scan")


def has(ctx: CheckContext, code: str) -> bool:
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
    if has(ctx, "family_proof"):
        return CheckResult.passed("已提交家庭成员关系证明")
    return CheckResult.block("家庭经营须提交家庭成员关系证明（户口簿或结婚证等），请一次性告知补正")


def _operator_capacity(ctx: CheckContext) -> CheckResult:
    """Full capacity at the time of the check: adult, or 16–17 with the income proof (民法典第十八条)."""
    years = capacity.age(ctx.form_data.get("operator_id_number") or "", local_date(ctx.now))
    if years is None:
        return CheckResult.block("经营者身份证号码无效，无法确认年龄")
    if years >= capacity.ADULT_AGE:
        return CheckResult.passed(f"经营者{years}周岁，具有完全民事行为能力")
    if not capacity.needs_income_proof(years):
        return CheckResult.block(capacity.too_young_message(years), hit=True, matched={"age": years})
    if has(ctx, capacity.INCOME_PROOF):
        return CheckResult.passed(f"经营者{years}周岁，已提交劳动收入证明，视为完全民事行为能力人"
                                  f"（{law.FULL_CAPACITY}）", hit=True, matched={"age": years})
    return CheckResult.block(capacity.income_proof_message(years), hit=True, matched={"age": years})
