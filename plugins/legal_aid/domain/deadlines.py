"""Time limits of the Legal Aid Law counted in days (日), not working days.

Art. 43 (decide within 7 days of receipt, assign within 3 days of the decision), Art. 36
(assign within 3 days of an organ's notification) and Art. 49 (the bureau decides an
objection within 5 days) say 日: calendar days. The law has no rule like the Administrative
Licensing Law's Art. 82 that turns them into working days, so neither does this plugin; only
an end date on a weekend or holiday moves to the next working day (民法典第二百零三条).

0.1 let ``QUANKE_LEGAL_AID_DEADLINE_COUNTING=working_days`` count working days. That setting
is no longer read (the statute wins); ``quanke plugins --check`` says so when it is still set.
Applications received under it keep the clock they were received with (the core's snapshot).
"""
from __future__ import annotations

import datetime as dt

from core.api import WorkCalendar, add_working_days, setting

from plugins.legal_aid.domain.law import cite

COUNTING = "calendar_days"
COUNTINGS = {"calendar_days": "自然日（期满日为节假日的顺延至下一工作日）", "working_days": "工作日"}
OLD_SETTING = "LEGAL_AID_DEADLINE_COUNTING"


def counting_problems(quanke) -> list[str]:
    """The 0.1 setting, if still there: reported, never applied."""
    value = str(setting(quanke, OLD_SETTING, "") or "").strip()
    if value and value != COUNTING:
        return [f"配置 {OLD_SETTING}={value!r} 已不再使用：《中华人民共和国法律援助法》第四十三条规定的期限为"
                "“七日”（自然日），不按工作日计算；请删除该配置"]
    return []


def due_on(calendar: WorkCalendar, start: dt.date, days: int, counting: str = COUNTING) -> dt.date:
    """The last day of a limit of ``days`` counted from ``start`` (``start`` not counted);
    ``working_days`` only for an application whose stored clock says so (received under 0.1)."""
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
