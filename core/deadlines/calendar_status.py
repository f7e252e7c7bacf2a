"""Whether the calendar is ready for the dates being promised (日历是否就绪).

A year without the State Council's published arrangement is provisional (暂定): due dates
through it count the statutory holidays only. From 1 November — the arrangement for the next
year is usually published in November — a deployment whose next year is still provisional is
warned wherever an administrator looks: ``quanke plugins --check``, ``/readyz`` and the admin
home. The current year being provisional is always warned.
"""
from __future__ import annotations

import datetime as dt

from core.deadlines.calendar import WorkCalendar
from core.deadlines.statutory import CITATION

#: From this month on, next year's arrangement is expected to be loaded.
WARN_FROM_MONTH = 11


def provisional_years_ahead(calendar: WorkCalendar, day: dt.date) -> list[int]:
    """This year if provisional; next year too from 1 November."""
    years = [day.year] if calendar.is_provisional(day.year) else []
    if day.month >= WARN_FROM_MONTH and calendar.is_provisional(day.year + 1):
        years.append(day.year + 1)
    return years


def calendar_warnings(calendar: WorkCalendar, day: dt.date) -> list[str]:
    """One Chinese sentence per provisional year that needs the administrator."""
    return [f"{year}年的节假日安排尚未载入：办结期限暂按{CITATION}的法定节假日计算（不含调休），"
            f"回执和短信标注“暂定”。国务院办公厅公布后请运行 `quanke calendar load 文件`"
            f"（或在配置 HOLIDAY_FILE 中指定），在办申请的期限将重新计算并通知申请人。"
            for year in provisional_years_ahead(calendar, day)]
