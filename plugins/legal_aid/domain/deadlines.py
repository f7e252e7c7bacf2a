"""Time limits of the Legal Aid Law counted in days (日), not working days.

Art. 43 (decide within 7 days of receipt, assign within 3 days of the decision) and Art. 49
(the bureau decides an objection within 5 days) say 日. The counting rule is configuration:
``QUANKE_LEGAL_AID_DEADLINE_COUNTING`` = ``calendar_days`` (default: natural days, an end date
on a weekend or holiday moves to the next working day) or ``working_days``.
"""
from __future__ import annotations

import datetime as dt
import os

from core.api import WorkCalendar, add_working_days

from plugins.legal_aid.domain.law import cite

COUNTINGS = {"calendar_days": "自然日（期满日为节假日的顺延至下一工作日）", "working_days": "工作日"}


def configured_counting(environ=os.environ) -> str:
    """The counting rule from the environment; an unknown value stops start-up loudly."""
    value = (environ.get("QUANKE_LEGAL_AID_DEADLINE_COUNTING") or "calendar_days").strip()
    if value not in COUNTINGS:
        raise ValueError(f"QUANKE_LEGAL_AID_DEADLINE_COUNTING={value!r} 无效，应为 "
                         + " 或 ".join(COUNTINGS))
    return value


def due_on(calendar: WorkCalendar, start: dt.date, days: int, counting: str = "calendar_days") -> dt.date:
    """The last day of a limit of ``days`` counted from ``start`` (``start`` not counted)."""
    if counting == "working_days":
        return add_working_days(calendar, start, days)
    due = start + dt.timedelta(days=days)
    while not calendar.is_workday(due):
        due += dt.timedelta(days=1)
    return due


def explain(calendar: WorkCalendar, start: dt.date, days: int, counting: str, article: str) -> str:
    """One sentence for pages and letters: start, limit, rule, the end date and any move."""
    due = due_on(calendar, start, days, counting)
    text = (f"自{start:%Y年%m月%d日}起{days}日内（{COUNTINGS[counting]}，{cite(article)}），"
            f"期限届满日为{due:%Y年%m月%d日}")
    plain = start + dt.timedelta(days=days)
    if counting == "calendar_days" and due != plain:
        text += f"（{plain:%m月%d日}为休息日或节假日，顺延）"
    return text
