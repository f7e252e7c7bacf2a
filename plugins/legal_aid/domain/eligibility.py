"""Eligibility for legal aid, as pure functions with their reasons (no database, no clock).

The order of the rules is the law's:

1. the matter is covered (Arts. 24, 25, 28, 29, 31–33) and the applicant has no agent;
2. a notification by the court, procuratorate or police (Arts. 25, 28): no application and
   no economic test — a lawyer is assigned (Art. 36);
3. Art. 32 matters (items 1–5): no economic test at all;
4. Art. 24 "其他原因": the statute sets no test; the centre judges it (:mod:`.criminal`);
5. Art. 42 statuses (items 1–4), proved by a material: hardship presumed, not examined;
6. otherwise the means test (Art. 34): household monthly income per head not above the
   standard of the receiving centre's area in force on the day the application was received
   (both set by the system, never typed); the income is proved by material or by a personal
   integrity commitment (Art. 41).

Every reason names its article. :func:`assess` never raises for bad facts: it returns
``ineligible`` or ``undetermined`` with the reason, so the counter and the centre see why.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from plugins.legal_aid.domain import criminal
from plugins.legal_aid.domain.areas import area_name
from plugins.legal_aid.domain.household import (  # noqa: F401 - re-exported for the callers
    CENT,
    MAX_AMOUNT,
    MAX_MEMBERS,
    SELF,
    HouseholdError,
    Member,
    age_on,
    format_household,
    parse_amount,
    parse_household,
)
from plugins.legal_aid.domain.law import (
    CATEGORIES,
    ELDERLY_AGE,
    INJURY_KINDS,
    MINOR_AGE,
    NOTIFICATION,
    STATUSES,
    STATUSES_NEEDING_BASIS,
    cite,
)

ELIGIBLE, INELIGIBLE, UNDETERMINED = "eligible", "ineligible", "undetermined"


def _day(day: dt.date) -> str:
    """``2025年1月1日``, as papers print dates."""
    return f"{day.year}年{day.month}月{day.day}日"


# -- the local standard -----------------------------------------------------------------------

@dataclass(frozen=True)
class Standard:
    """The economic-hardship standard (Art. 34) for an area from a date."""

    area_code: str
    effective_from: dt.date
    monthly_per_head: Decimal
    assets_per_head: Decimal | None = None
    source: str = ""

    @property
    def version(self) -> str:
        return f"{self.area_code}@{self.effective_from.isoformat()}:{self.monthly_per_head}"

    def as_dict(self) -> dict:
        return {"area_code": self.area_code, "effective_from": self.effective_from.isoformat(),
                "monthly_per_head": str(self.monthly_per_head),
                "assets_per_head": None if self.assets_per_head is None else str(self.assets_per_head),
                "source": self.source}

    def describe(self) -> str:
        return (f"{area_name(self.area_code)}自{_day(self.effective_from)}起施行的经济困难标准"
                f"（家庭月人均收入{self.monthly_per_head}元"
                + (f"、人均资产{self.assets_per_head}元" if self.assets_per_head is not None else "")
                + (f"，{self.source}" if self.source else "") + "）")


# -- the assessment ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the applicant declared and proved; the day and area the system recorded."""

    category: str
    has_agent: bool
    received_on: dt.date               # 收到申请之日: the system's receipt date (Art. 43)
    members: tuple[Member, ...] = ()
    savings: Decimal = Decimal("0")
    status: str = ""                   # an Art. 42 status code, "" for none
    status_proved: bool = False        # the Art. 42 proof material was received
    status_basis: str = ""             # the provision for Art. 42(4) "其他人员"
    age: int | None = None             # the applicant's age on the day of receipt
    injury_kind: str = ""
    retrial_ordered: bool = False
    other_basis: str = ""              # the provision for an "other" category or ground
    income_evidence: str | None = None  # "proof", "commitment" (Art. 41) or None
    area_code: str = ""                # whose standard applies: the receiving centre's area
    area_source: str = ""              # "centre" (mapped) or "default" (the district's)
    criminal_reason: str = ""          # Art. 24: "hardship" or "other"
    criminal_reason_note: str = ""
    notifying_organ_kind: str = ""     # Art. 25: court / procuratorate / police
    notifying_organ: str = ""          # its name, e.g. 南京市栖霞区人民法院
    criminal_case_no: str = ""         # the organ's case or letter number
    notification_ground: str = ""      # an Art. 25 / 28 ground code


@dataclass(frozen=True)
class Eligibility:
    outcome: str                        # eligible / ineligible / undetermined
    path: str | None                    # art32 / art42 / means_test / None
    reasons: tuple[str, ...]
    per_head: Decimal | None = None
    standard: Standard | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def eligible(self) -> bool:
        return self.outcome == ELIGIBLE

    def as_evidence(self, facts: Facts) -> dict:
        """What the decision records: the path, the figures and the standard used."""
        total = sum((m.monthly_income for m in facts.members), Decimal("0"))
        notified = CATEGORIES.get(facts.category) is not None and CATEGORIES[facts.category].kind == NOTIFICATION
        return {"outcome": self.outcome, "path": self.path, "category": facts.category,
                "received_on": facts.received_on.isoformat(),
                "area_code": facts.area_code, "area_source": facts.area_source,
                "notification": {"organ_kind": facts.notifying_organ_kind, "organ": facts.notifying_organ,
                                 "case_no": facts.criminal_case_no, "ground": facts.notification_ground,
                                 } if notified else None,
                "household_size": len(facts.members), "household_income": str(total),
                "per_head": None if self.per_head is None else str(self.per_head),
                "status": facts.status, "income_evidence": facts.income_evidence,
                "standard": self.standard.as_dict() if self.standard else None,
                "reasons": list(self.reasons)}


def _no(reasons: list[str], why: str, outcome: str = INELIGIBLE, **kw) -> Eligibility:
    return Eligibility(outcome, kw.pop("path", None), tuple(reasons + [why]), **kw)


def _coverage(facts: Facts) -> str | None:
    """Why a covered category is still not covered on these facts, or None."""
    category = CATEGORIES[facts.category]
    if category.needs_basis and not facts.other_basis.strip():
        if category.means_tested:
            return f"须写明规定该事项可以申请法律援助的法律、法规、规章（{category.citation}）"
        return f"须写明规定该情形不受经济困难条件限制的法律、法规、规章（{category.citation}）"
    if facts.category == "petition_retrial" and not facts.retrial_ordered:
        return ("申诉、申请再审的，须人民法院已决定、裁定再审或者人民检察院已提出抗诉"
                f"（{cite('第三十三条')}）")
    if facts.category == "injury" and facts.injury_kind not in INJURY_KINDS:
        return f"须说明属于工伤、交通、食品药品安全或者医疗事故中的哪一种（{cite('第三十一条第（七）项')}）"
    if category.kind == NOTIFICATION:
        return criminal.notification_problem(facts)
    if facts.category == "criminal_defence":
        return criminal.defence_reason_problem(facts)
    return None


def _status_problem(facts: Facts) -> str | None:
    """Why the claimed Art. 42 status does not exempt this applicant, or None."""
    status = STATUSES[facts.status]
    if not facts.status_proved:
        return (f"申请人称属于“{status.label}”，但未提交证明材料，不能免予核查经济困难状况"
                f"（{cite(status.item)}）")
    if facts.status == "minor" and facts.age is not None and facts.age >= MINOR_AGE:
        return f"申请人申请之日已满{MINOR_AGE}周岁，不属于未成年人（{cite(status.item)}）"
    if facts.status == "elderly" and facts.age is not None and facts.age < ELDERLY_AGE:
        return f"申请人申请之日未满{ELDERLY_AGE}周岁，不属于老年人（{cite(status.item)}）"
    if facts.status == "migrant_worker" and not (
            facts.category == "labour" or (facts.category == "injury" and facts.injury_kind == "work")):
        return ("进城务工人员免予核查仅适用于申请支付劳动报酬或者请求工伤事故人身损害赔偿"
                f"（{cite(status.item)}）")
    if facts.status in STATUSES_NEEDING_BASIS and not facts.status_basis.strip():
        return f"申请人称属于“{status.label}”，须写明规定免予核查的法律、法规、规章（{cite(status.item)}）"
    return None


def assess(facts: Facts, standard: Standard | None) -> Eligibility:
    """Decide eligibility from the facts and the standard in force on the day of receipt."""
    category = CATEGORIES.get(facts.category)
    if category is None:
        return _no([], "申请事项不属于法律援助的范围（" + cite("第三十一条、第三十二条、第三十三条") + "）")
    reasons = [f"申请事项属于“{category.label}”（{category.citation}）"]
    problem = _coverage(facts)
    if problem:
        return _no(reasons, problem)
    if facts.has_agent:
        whom, article = criminal.agent_rule(category)
        return _no(reasons, f"申请人已委托{whom}，不符合“没有委托{whom}”的条件（{article}）")
    if category.kind == NOTIFICATION:
        return Eligibility(ELIGIBLE, "notification", tuple(reasons) + criminal.notification_reasons(facts))
    if not category.means_tested:
        basis = f"（{facts.other_basis.strip()}）" if category.needs_basis else ""
        return Eligibility(ELIGIBLE, "art32", tuple(reasons + [
            f"属于{category.article}规定的情形{basis}，不受经济困难条件的限制（{cite('第三十二条')}）"]))
    if facts.category == "criminal_defence" and facts.criminal_reason == "other":
        return Eligibility(ELIGIBLE, "art24_other", tuple(reasons) + criminal.other_reason_finding(facts))
    notes: list[str] = []
    if facts.status:
        if facts.status not in STATUSES:
            notes.append(f"申请人所称身份“{facts.status}”不属于{cite('第四十二条')}规定的人员")
        else:
            problem = _status_problem(facts)
            if problem is None:
                status = STATUSES[facts.status]
                basis = f"（{facts.status_basis.strip()}）" if facts.status in STATUSES_NEEDING_BASIS else ""
                return Eligibility(ELIGIBLE, "art42", tuple(reasons + [
                    f"申请人有材料证明属于“{status.label}”{basis}，免予核查经济困难状况（{cite(status.item)}）"]))
            notes.append(problem)
    reasons += notes
    return _means_test(facts, standard, reasons, tuple(notes))


def _means_test(facts: Facts, standard: Standard | None, reasons: list[str],
                notes: tuple[str, ...]) -> Eligibility:
    if facts.area_source == "invalid":
        return _no(reasons, "受理中心所在地区的配置无效，无法确定适用哪一地区的经济困难标准，请系统管理员核对"
                   f"法律援助的地区设置（{cite('第三十四条')}）", UNDETERMINED, path="means_test", notes=notes)
    if standard is None:
        area = area_name(facts.area_code) if facts.area_code else "当地"
        return _no(reasons, f"未载入收到申请之日（{_day(facts.received_on)}）{area}适用的经济困难标准，"
                   f"无法进行经济困难审查（{cite('第三十四条')}）", UNDETERMINED, path="means_test",
                   notes=notes)
    if facts.income_evidence not in ("proof", "commitment"):
        return _no(reasons, "须提交经济困难状况证明材料，或者由申请人作出个人诚信承诺"
                   f"（{cite('第四十一条')}）", UNDETERMINED, path="means_test", standard=standard,
                   notes=notes)
    if not facts.members:
        return _no(reasons, "缺少家庭成员及收入情况，无法进行经济困难审查（" + cite("第四十一条") + "）",
                   UNDETERMINED, path="means_test", standard=standard, notes=notes)
    size = len(facts.members)
    total = sum((m.monthly_income for m in facts.members), Decimal("0"))
    per_head = (total / size).quantize(CENT)
    basis = ("申请人作出个人诚信承诺" if facts.income_evidence == "commitment" else "申请人提交证明材料")
    kw = {"path": "means_test", "per_head": per_head, "standard": standard, "notes": notes}
    # Compare totals, not the rounded per-head figure: 3 people and 7470 yuan is exactly 2490.
    if total > standard.monthly_per_head * size:
        return _no(reasons, f"家庭{size}人月收入合计{total}元，人均{per_head}元，高于{standard.describe()}"
                   f"（{cite('第三十四条')}）", **kw)
    if standard.assets_per_head is not None and facts.savings > standard.assets_per_head * size:
        return _no(reasons, f"家庭存款等资产{facts.savings}元，高于{standard.describe()}中的资产限额"
                   f"（{cite('第三十四条')}）", **kw)
    return Eligibility(ELIGIBLE, "means_test", tuple(reasons + [
        f"家庭{size}人月收入合计{total}元，人均{per_head}元，不高于{standard.describe()}"
        f"（{cite('第三十四条')}）",
        f"经济困难状况由{basis}（{cite('第四十一条')}）"]), per_head, standard, notes)
