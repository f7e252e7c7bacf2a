"""Eligibility under the Legal Aid Law (法律援助法), as a pure function with its reasons.

Articles: 31 (covered civil/administrative matters), 34 (economic hardship standard set by
the province), 42 (statuses for which hardship is presumed). The full rules (Art. 32, 41,
dated standards per area) arrive with the legal-aid issue; this is the part every
application already needs.
"""
from dataclasses import dataclass

#: Art. 31 categories (法律援助法第三十一条).
ART31_CATEGORIES = {
    "state_compensation": "依法请求国家赔偿",
    "social_insurance": "请求给予社会保险待遇或者社会救助",
    "pension": "请求发给抚恤金",
    "maintenance": "请求给付赡养费、抚养费、扶养费",
    "labour": "请求确认劳动关系或者支付劳动报酬",
    "incapacity": "请求认定公民无民事行为能力或者限制民事行为能力",
    "injury": "请求工伤事故、交通事故、食品药品安全事故、医疗事故人身损害赔偿",
    "environment": "请求环境污染、生态破坏损害赔偿",
}


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]


def assess(*, category: str, has_agent: bool, household_size: int,
           monthly_household_income: int, standard_per_head: int) -> Eligibility:
    """Covered matter, no agent, and household income per head within the standard (Art. 34)."""
    if category not in ART31_CATEGORIES:
        return Eligibility(False, ("申请事项不属于《法律援助法》第三十一条规定的范围",))
    if has_agent:
        return Eligibility(False, ("已委托代理人的，不予法律援助（《法律援助法》第三十一条）",))
    if household_size < 1:
        return Eligibility(False, ("家庭人口至少为1人",))
    per_head = monthly_household_income / household_size
    if per_head > standard_per_head:
        return Eligibility(False, (f"家庭月人均收入{per_head:.0f}元，高于当地经济困难标准"
                                   f"{standard_per_head}元（《法律援助法》第三十四条）",))
    return Eligibility(True, (f"属于第三十一条“{ART31_CATEGORIES[category]}”，家庭月人均收入"
                              f"{per_head:.0f}元，不高于标准{standard_per_head}元",))
