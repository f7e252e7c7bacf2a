"""Values only the system sets: the day of receipt and the area whose standard applies.

Before 0.2 the form asked for ``application_date`` (which an applicant could back-date) and
``area_code`` (which chose the hardship standard). Art. 43 counts from the day the centre
received the application and Art. 34 applies the standard of where it was received, so both
now come from the system (:mod:`plugins.legal_aid.domain.receipt`). An API client or a crafted
form that still sends them is refused with a stable code and nothing is saved; stored
applications of 0.1 keep the values in their form data, shown as not used.
"""
from __future__ import annotations

from core.api import InvalidInput

from plugins.legal_aid.domain.law import cite

REFUSED = {
    "application_date": (
        "receipt_date_not_allowed",
        "收到申请的日期由系统在窗口登记或网上提交时自动记录，作出决定的七日期限和适用的经济困难标准均自该日起算"
        f"（{cite('第四十三条')}、第三十四条），不能填写或倒签申请日期，请删除 application_date 后重新提交"),
    "area_code": (
        "area_code_not_allowed",
        "适用哪一地区的经济困难标准由受理申请的服务中心确定（" + cite("第三十四条、第三十八条")
        + "），申请人和工作人员不能填写行政区划代码，请删除 area_code 后重新提交"),
}


def typed_system_fields(formdata, prefix: str) -> list[str]:
    """Which of the system's fields the submitted data tried to set (non-empty values)."""
    if formdata is None or not hasattr(formdata, "get"):
        return []
    return [name for name in REFUSED if str(formdata.get(prefix + name) or "").strip()]


def refuse(names: list[str]) -> None:
    """Raise the stable error for the first field the data must not set."""
    code, message = REFUSED[names[0]]
    raise InvalidInput(message, code=code, field=names[0], details={"refused": names})
