"""Who may operate a 个体工商户: a person with full civil capacity — an adult, or a 16–17-year-old
who lives on their own labour income (民法典第十八条), shown by a proof of that income.

Pure functions on the resident ID's birth date, shared by the form (the age floor), the
register's answer at filing (the proof as a material still to come) and the check at
acceptance and decision (the proof handed in).
"""
from __future__ import annotations

import datetime as dt

from core.api import InvalidInput, age_on, validate_resident_id
from plugins.business_license.domain import law

ADULT_AGE = 18
WORKING_MINOR_AGE = 16
#: The material a 16–17-year-old operator hands in (a material code of the registration).
INCOME_PROOF = "labour_income_proof"


def age(id_number: str, on: dt.date) -> int | None:
    """The holder's age on ``on``, or ``None`` for an ID that does not validate."""
    try:
        return age_on(validate_resident_id(id_number or "").birth_date, on)
    except InvalidInput:
        return None


def too_young_message(years: int) -> str:
    return (f"经营者须年满{ADULT_AGE}周岁；{WORKING_MINOR_AGE}周岁以上不满{ADULT_AGE}周岁、以自己的劳动收入为"
            f"主要生活来源的也可以（{law.FULL_CAPACITY.short}）。按身份证号码出生日期计算，现为{years}周岁")


def needs_income_proof(years: int | None) -> bool:
    return years is not None and WORKING_MINOR_AGE <= years < ADULT_AGE


def income_proof_message(years: int) -> str:
    return (f"经营者现为{years}周岁，未满{ADULT_AGE}周岁：须提交以自己的劳动收入为主要生活来源的证明"
            f"（如劳动合同、近期工资流水），方视为完全民事行为能力人（{law.FULL_CAPACITY.short}）")
