"""Due dates: counting working days (or calendar days) from a start, with pauses and an
extension, and the explanation of how a due date came about.
"""
from __future__ import annotations
import datetime as dt
import logging
from dataclasses import dataclass
from datetime import date
from typing import Sequence
from core.platform.errors import InvalidInput
from core.deadlines.calendar import (KIND_MAKEUP, KIND_WEEKEND, SOURCE_PROVISIONAL, _WEEKDAYS_ZH, DayInfo,
                                     WorkCalendar, _zh_date, provisional_warning)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pause:
    """A period the clock stood still (中止计时)."""

    start: date
    end: date | None    # None = still paused
    reason: str

    def covers(self, day: date) -> bool:
        return self.start < day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class DueDateExplanation:
    """A due date together with everything needed to explain it to a citizen."""

    start: date                 # acceptance date (day 0, not counted)
    working_days: int
    due_date: date | None       # None while a pause is open
    skipped: tuple[DayInfo, ...]          # weekend/holiday days skipped while counting
    makeup_days: tuple[DayInfo, ...]      # make-up workdays that were counted
    paused_days: tuple[date, ...]         # working days not counted because the clock was paused
    pauses: tuple[Pause, ...]
    extension_days: int
    extension_reason: str
    warnings: tuple[str, ...]             # Chinese
    counted_days: int = 0                 # working days counted so far (= total once due)
    counting: str = "working_days"        # or "calendar_days" (自然日)
    moved_from: date | None = None        # calendar days: the end date that fell on a holiday
    provisional_years: tuple[int, ...] = ()  # counted through a year with no published arrangement
    start_label: str = "受理日期"          # or "收到申请日期" for a clock that starts at receipt
    basis: tuple[str, ...] = ()           # the articles that set the numbers above (法律依据)

    @property
    def provisional(self) -> bool:
        """The due date rests on a provisional calendar (暂定): it may move once published."""
        return bool(self.provisional_years)

    @property
    def unit(self) -> str:
        return "日" if self.counting == "calendar_days" else "个工作日"

    @property
    def total_days(self) -> int:
        return self.working_days + self.extension_days

    def lines(self) -> list[str]:
        """Chinese sentences explaining the computation step by step."""
        out = [f"{self.start_label}：{_zh_date(self.start)}（不计入）",
               f"法定时限：{self.working_days}{self.unit}"
               + ("（自然日，期满日为节假日的顺延至下一工作日）" if self.counting == "calendar_days" else "")]
        out.extend(f"跳过：{text}" for text in _skipped_ranges(self.skipped))
        for info in self.makeup_days:
            suffix = f"（{info.name}调休）" if info.name else ""
            out.append(f"调休上班计入：{_zh_date(info.day)}{suffix}")
        paused = set(self.paused_days)
        for pause in self.pauses:
            reason = f"（原因：{pause.reason}）" if pause.reason else ""
            if pause.end is None:
                out.append(f"中止计时：自{_zh_date(pause.start)}起暂停计时{reason}，尚未恢复")
                continue
            # Each paused day is attributed to the first pause covering it, so overlapping
            # pauses do not add up to more days than were actually lost.
            own = [d for d in sorted(paused) if pause.covers(d)]
            paused -= set(own)
            out.append(f"中止计时：{_zh_date(pause.start)} 至 {_zh_date(pause.end)}{reason}，"
                       f"顺延{len(own)}{self.unit}")
        if self.extension_days:
            reason = f"（原因：{self.extension_reason}）" if self.extension_reason else ""
            out.append(f"延长：{self.extension_days}{self.unit}{reason}")
        out.extend(f"注意：{text}" for text in self.warnings)
        out.extend(f"依据：{text}" for text in self.basis)
        if self.due_date is None:
            remaining = self.total_days - self.counted_days
            out.append(f"办结期限：暂停计时中，已计{self.counted_days}{self.unit}，"
                       f"剩余{remaining}{self.unit}，恢复计时后确定")
        else:
            if self.moved_from is not None:
                out.append(f"期满日{_zh_date(self.moved_from)}为节假日，顺延至下一工作日")
            out.append(f"办结期限：{_zh_date(self.due_date)}"
                       f"（{_WEEKDAYS_ZH[self.due_date.weekday()]}）")
        return out


def _skipped_ranges(skipped: Sequence[DayInfo]) -> list[str]:
    """Consecutive skipped days of the same kind and name as one range, so a week-long
    holiday reads as one line rather than seven."""
    groups: list[list[DayInfo]] = []
    for info in skipped:
        last = groups[-1][-1] if groups else None
        if (last is not None and info.day - last.day == dt.timedelta(days=1)
                and (info.kind, info.name) == (last.kind, last.name)):
            groups[-1].append(info)
        else:
            groups.append([info])
    out = []
    for group in groups:
        first, last = group[0], group[-1]
        span = _zh_date(first.day) if first is last else f"{_zh_date(first.day)}至{_zh_date(last.day)}"
        label = first.name or ("周末" if first.kind == KIND_WEEKEND else "节假日")
        out.append(f"{span} {label}")
    return out


def _check_days(value, what: str) -> int:
    # bool is an int subclass; True working days is a bug, not a time limit.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}必须是整数", code="invalid_deadline")
    if value < 0:
        raise InvalidInput(f"{what}不能为负数", code="invalid_deadline")
    return value


def compute_due_date(calendar: WorkCalendar, start: date, working_days: int, *,
                     pauses: Sequence[Pause] = (), extension_days: int = 0,
                     extension_reason: str = "", counting: str = "working_days",
                     start_label: str = "受理日期", basis: Sequence[str] = ()) -> DueDateExplanation:
    """Count ``working_days + extension_days`` working days after ``start``, not counting
    working days inside a pause, and explain the result.

    With ``counting="calendar_days"`` every day counts (a law that says "7日"), and an end
    date that is not a working day moves to the next working day.
    """
    labels = {"start_label": start_label, "basis": tuple(basis)}
    if counting == "calendar_days":
        return _calendar_due_date(calendar, start, working_days, pauses=tuple(pauses),
                                  extension_days=extension_days, extension_reason=extension_reason,
                                  labels=labels)
    if counting != "working_days":
        raise InvalidInput(f"未知的时限计算方式：{counting}", code="invalid_deadline")
    _check_days(working_days, "法定时限")
    _check_days(extension_days, "延长天数")
    pauses = tuple(pauses)
    for pause in pauses:
        if pause.end is not None and pause.end < pause.start:
            raise InvalidInput(f"中止计时的结束日期{_zh_date(pause.end)}早于开始日期"
                               f"{_zh_date(pause.start)}", code="invalid_deadline")
    open_starts = [p.start for p in pauses if p.end is None]
    # Every working day after an open pause's start is paused, so counting has to stop there.
    stop_after = min(open_starts) if open_starts else None

    total = working_days + extension_days
    skipped: list[DayInfo] = []
    makeup: list[DayInfo] = []
    paused_days: list[date] = []
    fallback_years: set[int] = set()
    counted = 0
    day = start
    due: date | None = start
    while counted < total:
        day += dt.timedelta(days=1)
        if stop_after is not None and day > stop_after:
            due = None
            break
        info = calendar.day_info(day)
        if info.source == SOURCE_PROVISIONAL:
            fallback_years.add(day.year)
        if not info.workday:
            skipped.append(info)
            continue
        if any(p.covers(day) for p in pauses):
            paused_days.append(day)
            continue
        counted += 1
        if info.kind == KIND_MAKEUP:
            makeup.append(info)
    else:
        due = day

    warnings = tuple(provisional_warning(year) for year in sorted(fallback_years))
    return DueDateExplanation(
        start=start, working_days=working_days, due_date=due, skipped=tuple(skipped),
        makeup_days=tuple(makeup), paused_days=tuple(paused_days), pauses=pauses,
        extension_days=extension_days, extension_reason=extension_reason,
        warnings=warnings, counted_days=counted, provisional_years=tuple(sorted(fallback_years)),
        **labels)


def _calendar_due_date(calendar: WorkCalendar, start: date, days: int, *,
                       pauses: tuple[Pause, ...], extension_days: int,
                       extension_reason: str, labels: dict) -> DueDateExplanation:
    _check_days(days, "法定时限")
    _check_days(extension_days, "延长天数")
    total, counted, day = days + extension_days, 0, start
    paused_days: list[date] = []
    open_starts = [p.start for p in pauses if p.end is None]
    stop_after = min(open_starts) if open_starts else None
    due: date | None = start
    while counted < total:
        day += dt.timedelta(days=1)
        if stop_after is not None and day > stop_after:
            due = None
            break
        if any(p.covers(day) for p in pauses):
            paused_days.append(day)
            continue
        counted += 1
    else:
        due = day
    moved_from = None
    skipped: list[DayInfo] = []
    provisional: set[int] = set()
    # Only the end date's day needs the calendar (moved off a holiday); its year decides
    # whether the result is provisional, as in working-day counting.
    while due is not None:
        info = calendar.day_info(due)
        if info.source == SOURCE_PROVISIONAL:
            provisional.add(due.year)
        if info.workday:
            break
        moved_from = moved_from or due
        skipped.append(info)
        due += dt.timedelta(days=1)
    return DueDateExplanation(
        start=start, working_days=days, due_date=due, skipped=tuple(skipped), makeup_days=(),
        paused_days=tuple(paused_days), pauses=pauses, extension_days=extension_days,
        extension_reason=extension_reason,
        warnings=tuple(provisional_warning(year) for year in sorted(provisional)),
        counted_days=counted, counting="calendar_days", moved_from=moved_from,
        provisional_years=tuple(sorted(provisional)), **labels)


def add_working_days(calendar: WorkCalendar, start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted); n=0 → start."""
    due = compute_due_date(calendar, start, n).due_date
    assert due is not None  # no pauses, so counting always finishes
    return due


def working_days_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """Number of working days ``d`` with ``start < d <= end``; 0 when ``end <= start``."""
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        if calendar.is_workday(day):
            count += 1
        day += dt.timedelta(days=1)
    return count
