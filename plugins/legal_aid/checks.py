"""The eligibility check (法律援助条件审查) the core runs at acceptance and at decision.

At acceptance an application that looks ineligible is only a warning: the law wants a
written, reasoned refusal with the right to object (Art. 43, 49), which only the centre can
give after accepting it. At decision time the same finding blocks approval, so aid is never
granted against the rules. The result is stored by the core as evidence, with the standard,
the day of receipt and the area used (``list_version`` and ``matched``), in the same
transaction as the decision.

The day is the receipt the system recorded (``ctx.filed_at``) and the area the receiving
centre's (:mod:`.domain.receipt`, read from the plugin settings through ``ctx.config``); an
online application no centre has accepted yet is measured against the district's default
area until one does.
"""
from core.api import Application, Check, CheckContext, CheckResult, local_date

from plugins.legal_aid.domain.assessment import assess_with
from plugins.legal_aid.domain.eligibility import ELIGIBLE
from plugins.legal_aid.domain.law import cite
from plugins.legal_aid.domain.receipt import area_of_centre


def _version(result) -> str:
    if result.standard is not None:
        return result.standard.version
    return result.path or "none"


def _eligibility(ctx: CheckContext) -> CheckResult:
    app = ctx.session.get(Application, ctx.application_id) if ctx.application_id else None
    area = area_of_centre(ctx, ctx.session, app.centre_id if app is not None else None)
    day = local_date(ctx.filed_at or ctx.now)
    facts, result = assess_with(ctx.session, ctx.form_data, ctx.materials, ctx.applicant, day=day, area=area)
    kw = {"matched": result.as_evidence(facts), "list_version": _version(result)}
    if result.outcome == ELIGIBLE:
        return CheckResult.passed("；".join(result.reasons), **kw)
    if ctx.phase == "decision":
        return CheckResult.block(*result.reasons, "不符合给予法律援助的条件，应当作出不予法律援助的决定并说明理由"
                                 f"（{cite('第四十三条')}）", **kw)
    return CheckResult.warn(*result.reasons, f"受理后由法律援助机构审查决定（{cite('第四十三条')}）", **kw)


ELIGIBILITY = Check("legal_aid.eligibility", "法律援助条件审查", _eligibility,
                    description="《法律援助法》第二十四条、第二十五条、第二十八条、第二十九条、"
                                "第三十一条至第三十四条、第四十一条、第四十二条")
