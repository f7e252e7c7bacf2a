"""The means-test check, using the standard in force for the area on the day."""
from sqlalchemy import select

from core.clock import local_date
from core.services import Check, CheckContext, CheckResult

from .eligibility import assess
from .models import HardshipStandard

DEFAULT_AREA = "320000"
#: Used only until an administrator loads the province's dated standard; the version string
#: recorded as evidence says "fallback" so a decision made on it can be found later.
FALLBACK_STANDARD = 2490


def standard_on(session, day, area: str = DEFAULT_AREA) -> tuple[int, str]:
    row = session.scalar(select(HardshipStandard).where(
        HardshipStandard.area_code == area, HardshipStandard.effective_from <= day)
        .order_by(HardshipStandard.effective_from.desc()).limit(1))
    if row is None:
        return FALLBACK_STANDARD, f"{area}:fallback-{FALLBACK_STANDARD}"
    return row.monthly_per_head, f"{area}:{row.effective_from.isoformat()}"


def _eligibility(ctx: CheckContext) -> CheckResult:
    data = ctx.form_data
    standard, version = standard_on(ctx.session, local_date(ctx.now))
    result = assess(category=data.get("category", ""), has_agent=bool(data.get("has_agent")),
                    household_size=int(data.get("household_size") or 0),
                    monthly_household_income=int(data.get("monthly_household_income") or 0),
                    standard_per_head=standard)
    if result.eligible:
        return CheckResult.passed(*result.reasons, list_version=version)
    return CheckResult.warn(*result.reasons, "请法律援助中心审查后决定", list_version=version)


ELIGIBILITY = Check("legal_aid.eligibility", "法律援助条件审查", _eligibility)
