"""Eligibility for legal aid, as pure functions with their reasons (no database, no clock).

The order of the rules is the law's:

1. the matter is covered (Art. 31, 32, 33) and the applicant has no agent (Art. 31, 33);
2. Art. 32 matters: no economic test at all;
3. Art. 42 statuses, proved by a material: hardship presumed, not examined;
4. otherwise the means test (Art. 34): household monthly income per head not above the
   local standard in force on the application date; the income is proved by material or by
   a personal integrity commitment (Art. 41).

Every reason names its article. :func:`assess` never raises for bad facts: it returns
``ineligible`` or ``undetermined`` with the reason, so the counter and the centre see why.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from plugins.legal_aid.domain.law import CATEGORIES, ELDERLY_AGE, INJURY_KINDS, MINOR_AGE, STATUSES, cite

ELIGIBLE, INELIGIBLE, UNDETERMINED = "eligible", "ineligible", "undetermined"
MAX_MEMBERS = 30
MAX_AMOUNT = Decimal("10000000")
CENT = Decimal("0.01")
SELF = "本人"


# -- household --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    relation: str
    name: str
    monthly_income: Decimal


class HouseholdError(ValueError):
    """The household lines are wrong; ``errors`` has one Chinese sentence per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


_SPLIT = re.compile(r"[,，、\s]+")  # no thousands separators in amounts


def parse_amount(raw: str, what: str) -> Decimal:
    """A non-negative amount of yuan with at most two decimals; ValueError in Chinese."""
    text = (raw or "").strip().replace("元", "").replace("，", "").replace(",", "")
    if not text:
        raise ValueError(f"缺少{what}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what}“{raw.strip()}”不是有效金额") from None
    if not value.is_finite():
        raise ValueError(f"{what}“{raw.strip()}”不是有效金额")
    if value < 0:
        raise ValueError(f"{what}不能为负数")
    if value > MAX_AMOUNT:
        raise ValueError(f"{what}超过{MAX_AMOUNT}元，请核对")
    if value != value.quantize(CENT):
        raise ValueError(f"{what}最多保留两位小数")
    return value.quantize(CENT)


def parse_household(text: str) -> tuple[Member, ...]:
    """One member a line: ``关系,姓名,月收入`` (commas, 、 or tabs). The applicant is the
    line whose relation is ``本人``. Raises :class:`HouseholdError` listing every bad line."""
    errors: list[str] = []
    members: list[Member] = []
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), 1) if line.strip()]
    if not lines:
        raise HouseholdError(["家庭成员至少1人（含申请人本人），每行填写“关系,姓名,月收入”"])
    if len(lines) > MAX_MEMBERS:
        raise HouseholdError([f"家庭成员最多{MAX_MEMBERS}人"])
    for number, line in lines:
        parts = [p for p in _SPLIT.split(line) if p != ""]
        if len(parts) == 2 and not re.search(r"\d", parts[1]):
            errors.append(f"第{number}行：缺少月收入（无收入请填0）")
            continue
        if len(parts) != 3:
            errors.append(f"第{number}行：应为“关系,姓名,月收入”三项")
            continue
        relation, name, income = parts
        if len(relation) > 10 or len(name) > 30:
            errors.append(f"第{number}行：关系或姓名过长")
            continue
        try:
            amount = parse_amount(income, "月收入")
        except ValueError as exc:
            errors.append(f"第{number}行：{exc}")
            continue
        members.append(Member(relation, name, amount))
    selves = [m for m in members if m.relation == SELF]
    if not errors and len(selves) != 1:
        errors.append("家庭成员中须有且只有一行关系为“本人”（申请人本人）")
    if errors:
        raise HouseholdError(errors)
    return tuple(members)


def format_household(members: tuple[Member, ...]) -> str:
    return "\n".join(f"{m.relation},{m.name},{m.monthly_income}" for m in members)


def age_on(birth_date: dt.date | None, day: dt.date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


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
        return (f"{self.area_code}地区自{self.effective_from:%Y年%m月%d日}起施行的经济困难标准"
                f"（家庭月人均收入{self.monthly_per_head}元"
                + (f"、人均资产{self.assets_per_head}元" if self.assets_per_head is not None else "")
                + (f"，{self.source}" if self.source else "") + "）")


# -- the assessment ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the applicant declared and proved, on the application date."""

    category: str
    has_agent: bool
    application_date: dt.date
    members: tuple[Member, ...] = ()
    savings: Decimal = Decimal("0")
    status: str = ""                   # an Art. 42 status code, "" for none
    status_proved: bool = False        # the Art. 42 proof material was received
    age: int | None = None             # the applicant's age on the application date
    injury_kind: str = ""
    retrial_ordered: bool = False
    other_basis: str = ""
    income_evidence: str | None = None  # "proof", "commitment" (Art. 41) or None


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
        return {"outcome": self.outcome, "path": self.path, "category": facts.category,
                "application_date": facts.application_date.isoformat(),
                "household_size": len(facts.members), "household_income": str(total),
                "per_head": None if self.per_head is None else str(self.per_head),
                "status": facts.status, "income_evidence": facts.income_evidence,
                "standard": self.standard.as_dict() if self.standard else None,
                "reasons": list(self.reasons)}


def _no(reasons: list[str], why: str, outcome: str = INELIGIBLE, **kw) -> Eligibility:
    return Eligibility(outcome, kw.pop("path", None), tuple(reasons + [why]), **kw)


def _coverage(facts: Facts) -> str | None:
    """Why a covered category is still not covered on these facts, or None."""
    if facts.category == "other_statutory" and not facts.other_basis.strip():
        return f"须写明规定该事项可以申请法律援助的法律、法规、规章（{cite('第三十一条第（九）项')}）"
    if facts.category == "petition_retrial" and not facts.retrial_ordered:
        return ("申诉、申请再审的，须人民法院已决定、裁定再审或者人民检察院已提出抗诉"
                f"（{cite('第三十三条')}）")
    if facts.category == "injury" and facts.injury_kind not in INJURY_KINDS:
        return f"须说明属于工伤、交通、食品药品安全或者医疗事故中的哪一种（{cite('第三十一条第（七）项')}）"
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
    return None


def assess(facts: Facts, standard: Standard | None) -> Eligibility:
    """Decide eligibility from the facts and the standard in force on the application date."""
    category = CATEGORIES.get(facts.category)
    if category is None:
        return _no([], "申请事项不属于法律援助的范围（" + cite("第三十一条、第三十二条、第三十三条") + "）")
    reasons = [f"申请事项属于“{category.label}”（{category.citation}）"]
    problem = _coverage(facts)
    if problem:
        return _no(reasons, problem)
    if facts.has_agent:
        return _no(reasons, f"申请人已委托代理人，不符合“没有委托代理人”的条件（{cite('第三十一条、第三十三条')}）")
    if not category.means_tested:
        return Eligibility(ELIGIBLE, "art32", tuple(reasons + [
            f"属于{category.article}规定的情形，不受经济困难条件的限制（{cite('第三十二条')}）"]))
    notes: list[str] = []
    if facts.status:
        if facts.status not in STATUSES:
            notes.append(f"申请人所称身份“{facts.status}”不属于{cite('第四十二条')}规定的人员")
        else:
            problem = _status_problem(facts)
            if problem is None:
                status = STATUSES[facts.status]
                return Eligibility(ELIGIBLE, "art42", tuple(reasons + [
                    f"申请人有材料证明属于“{status.label}”，免予核查经济困难状况（{cite(status.item)}）"]))
            notes.append(problem)
    reasons += notes
    return _means_test(facts, standard, reasons, tuple(notes))


def _means_test(facts: Facts, standard: Standard | None, reasons: list[str],
                notes: tuple[str, ...]) -> Eligibility:
    if standard is None:
        return _no(reasons, f"未载入申请日（{facts.application_date:%Y年%m月%d日}）适用的当地经济困难标准，"
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
