"""居住证明的核查：居住时长（按用途）与 30 日内重复开具。纯函数，只读。"""
import datetime as dt

from sqlalchemy import select

from core.api import Check, CheckContext, CheckResult, local_date

from .forms import PURPOSES
from .models import ResidenceRecord

#: 用途 → (最短居住月数, 不足时的结论)。《居住证暂行条例》第二条：居住半年以上可申领居住证。
MIN_MONTHS = {"residence_permit": (6, "block"), "school": (12, "warn")}
REPEAT_DAYS = 30


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _duration(ctx: CheckContext) -> CheckResult:
    if ctx.applicant.kind != "person":
        return CheckResult.block("居住证明只为自然人开具")
    today = local_date(ctx.now)
    since = dt.date.fromisoformat(str(ctx.form_data.get("since"))[:10])
    if since > today:
        return CheckResult.block("起始居住日期晚于今天")
    months = months_between(since, today)
    purpose = ctx.form_data.get("purpose")
    minimum, outcome = MIN_MONTHS.get(purpose, (0, "pass"))
    if months < minimum:
        reason = f"用于“{PURPOSES[purpose]}”须居住满{minimum}个月，申请人已居住{months}个月"
        if outcome == "block":
            return CheckResult.block(reason)
        return CheckResult.warn(reason + "，请告知申请人以入学政策为准")
    return CheckResult.passed(f"已居住{months}个月")


def _repeat(ctx: CheckContext) -> CheckResult:
    today = local_date(ctx.now)
    recent = ctx.session.scalar(
        select(ResidenceRecord).where(
            ResidenceRecord.applicant_id == ctx.applicant.id,
            ResidenceRecord.purpose == ctx.form_data.get("purpose"),
            ResidenceRecord.issued_on >= today - dt.timedelta(days=REPEAT_DAYS))
        .order_by(ResidenceRecord.issued_on.desc()).limit(1))
    if recent is not None:
        return CheckResult.warn(f"{REPEAT_DAYS}日内已开具过同一用途的居住证明（{recent.application_no}），"
                                "请确认是否需要重复开具",
                                hit=True, matched={"application_no": recent.application_no,
                                                   "issued_on": recent.issued_on.isoformat()})
    return CheckResult.passed(f"{REPEAT_DAYS}日内未开具过同一用途的居住证明")


DURATION = Check("residence.duration", "居住时长核查", _duration,
                 description="申领居住证须居住满6个月；子女入学不足12个月时提示")
REPEAT = Check("residence.repeat", "重复开具核查", _repeat,
               description=f"{REPEAT_DAYS}日内同一用途已开具的，提示确认")
