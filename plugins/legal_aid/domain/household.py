"""The household a means test looks at (Art. 34, 41): members and their monthly incomes,
written one member a line (``关系,姓名,月收入``), and amounts of yuan.

Pure functions with Chinese errors; the form, the assessment and the case page share them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_MEMBERS = 30
MAX_AMOUNT = Decimal("10000000")
CENT = Decimal("0.01")
SELF = "本人"


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
