"""Notifications (通知辩护, Arts. 25, 28, 36): how one is registered and when its lawyer is due.

The court, procuratorate or police notify the centre; there is no application and no means
test. Staff register the notification on the organ's behalf (counter or agent channel, the
organ, its case number and the ground recorded in the form data), with the organ's letter as
a material; the centre confirms it through the core workflow and assigns a lawyer within
three days of receiving the notice (Art. 36) — not of the confirmation.
"""
from __future__ import annotations

import datetime as dt

from plugins.legal_aid.domain.law import CATEGORIES, NOTIFICATION, cite
from plugins.legal_aid.domain.receipt import received_on

LETTER = "notification_letter"
ONLINE_PHASES = ("draft", "submit")  # a citizen's own draft on the portal


def is_notification(form_data: dict | None) -> bool:
    category = CATEGORIES.get((form_data or {}).get("category") or "")
    return category is not None and category.kind == NOTIFICATION


def notification_answers(form_data: dict, materials, phase: str) -> dict | None:
    """The ``validate_application`` answer for a notification, or None."""
    if not is_notification(form_data):
        return None
    if phase in ONLINE_PHASES:
        return {"category": "通知辩护由人民法院、人民检察院、公安机关通知法律援助机构，由工作人员代为登记，"
                            "不能网上申请；本人申请请选择“刑事案件的犯罪嫌疑人、被告人……申请法律援助”（"
                            + cite("第二十四条、第二十五条、第三十六条") + "）"}
    if LETTER not in set(materials or ()):
        # keyed by the material: the filing goes ahead, acceptance waits for the letter
        return {LETTER: "登记通知辩护须收取办案机关的通知公函（" + cite("第三十六条") + "）"}
    return None


def notice_received_on(app) -> dt.date:
    """Day 0 of the three days to assign: the day the centre received the notification."""
    return received_on(app)
