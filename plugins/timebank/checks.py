"""Eligibility of a volunteer: age 16+ and not already certified."""
from sqlalchemy import select

from core.api import Check, CheckContext, CheckResult, age_on, local_date

from plugins.timebank.models import Volunteer

MIN_AGE = 16


def _eligible(ctx: CheckContext) -> CheckResult:
    applicant = ctx.applicant
    if applicant.kind != "person" or applicant.birth_date is None:
        return CheckResult.block("志愿者须为自然人")
    age = age_on(applicant.birth_date, local_date(ctx.now))
    if age < MIN_AGE:
        return CheckResult.block(f"申请人{age}岁，未满{MIN_AGE}周岁不能注册为时间银行志愿者")
    existing = ctx.session.scalar(select(Volunteer).where(Volunteer.applicant_id == applicant.id,
                                                          Volunteer.status == "active"))
    if existing is not None:
        return CheckResult.block("申请人已是认证志愿者", hit=True, matched={"volunteer_id": existing.id})
    return CheckResult.passed(f"申请人{age}岁，符合注册条件")


VOLUNTEER_ELIGIBLE = Check("timebank.volunteer_eligible", "志愿者注册条件", _eligible)
