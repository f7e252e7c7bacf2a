"""Deadlines (办理时限): the working-day calendar, due dates and how each was computed.

* :mod:`~core.deadlines.calendar` — which days are working days (official calendar, loaded
  holiday files, fallback);
* :mod:`~core.deadlines.due_dates` — counting a time limit from a start, with pauses and an
  extension, explained day by day;
* :mod:`~core.deadlines.holiday_file` — ``quanke calendar load``;
* :mod:`~core.deadlines.explain` — the due date of one application.
"""
from core.deadlines.calendar import (HOLIDAY_NAMES_ZH, KIND_HOLIDAY, KIND_MAKEUP, KIND_WEEKEND,
                                     KIND_WORKDAY, SOURCE_FALLBACK, SOURCE_FILE, SOURCE_LIBRARY,
                                     DayInfo, WorkCalendar)
from core.deadlines.due_dates import (DueDateExplanation, Pause, add_working_days, compute_due_date,
                                      working_days_between)
from core.deadlines.explain import due_date_explanation
from core.deadlines.holiday_file import load_holiday_file

__all__ = ["DayInfo", "WorkCalendar", "Pause", "DueDateExplanation", "compute_due_date",
           "add_working_days", "working_days_between", "load_holiday_file", "HOLIDAY_NAMES_ZH",
           "due_date_explanation", "KIND_WORKDAY", "KIND_WEEKEND", "KIND_HOLIDAY", "KIND_MAKEUP",
           "SOURCE_LIBRARY", "SOURCE_FILE", "SOURCE_FALLBACK"]
