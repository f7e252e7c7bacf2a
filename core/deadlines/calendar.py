"""Due dates counted in working days (工作日) under the official Chinese calendar.

Statutory time limits (法定时限) are given in working days: the acceptance date is day 0 and
is not counted; weekends and public holidays are skipped; make-up workdays (调休上班, a
Saturday or Sunday the State Council declares a working day) are counted.

Where the calendar comes from, for each day, in this order:

1. an **override** loaded by an administrator from a holiday file (table ``calendar_days``);
2. the ``chinesecalendar`` package, which ships the State Council arrangements for the
   years it knows (1.11.0: 2004–2026) and raises ``NotImplementedError`` for other years;
3. for a year ``chinesecalendar`` does not know:
   - if the holiday file holds that year's **whole** arrangement — every statutory holiday
     of the year is in it as a day off — the file is that year's calendar and every day not
     in it counts by weekday (Mon–Fri work);
   - otherwise the year is **provisional** (暂定): the statutory holidays of the
     《全国年节及纪念日放假办法》 (2024 revision, Art. 2; :mod:`core.deadlines.statutory`) are
     days off, the rest counts by weekday, and make-up days (调休) are unknown until the State
     Council publishes them. The year is recorded in :attr:`WorkCalendar.provisional_years`
     and a WARNING is logged once per year and calendar; every due date counted through it
     says so (receipt, SMS, approver page). Rows of a partial file still win for their days.

Clock pauses (中止计时, e.g. while a correction or an expert review is pending): a working day
``d`` with ``pause.start < d <= pause.end`` is not counted — the day the clock stops still
counts, the day it resumes does not. While a pause is open (``end is None``) the due date is
unknown, unless counting finished before the pause began.

Holiday file format
-------------------
CSV, UTF-8 (a BOM, as Excel writes it, is accepted), with the header ``date,type,name``::

    date,type,name
    2027-01-01,holiday,元旦
    2027-02-06,holiday,春节
    2027-02-07,workday,春节调休

``date`` is ISO ``YYYY-MM-DD``; ``type`` is ``holiday`` (a day off, weekends inside a
holiday block included) or ``workday`` (a day worked, normally a make-up Saturday/Sunday);
``name`` is optional free text (≤ 64 characters), e.g. the holiday's name.

A JSON file (``.json``, or any file whose content starts with ``[``) holds a list of objects
with the same keys: ``[{"date": "2027-01-01", "type": "holiday", "name": "元旦"}, ...]``.

Loading is all-or-nothing: every row is checked first, and any bad row raises
:class:`~core.platform.errors.InvalidInput` (code ``invalid_holiday_file``) naming the line number
(CSV) or the entry number (JSON) and the problem; nothing is written then. Loading the same
day again replaces it, so re-loading a corrected file is safe.
"""
from __future__ import annotations
import datetime as dt
import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
import chinese_calendar
from sqlalchemy import select

from core.deadlines.statutory import CITATION, statutory_holidays
logger = logging.getLogger(__name__)


KIND_WORKDAY = "workday"
KIND_WEEKEND = "weekend"
KIND_HOLIDAY = "holiday"
KIND_MAKEUP = "makeup_workday"

SOURCE_LIBRARY = "chinesecalendar"
SOURCE_FILE = "holiday_file"
#: A year nobody has published yet: the statute's holidays, weekdays otherwise (暂定).
SOURCE_PROVISIONAL = "statutory_provisional"
#: The 0.1 name of :data:`SOURCE_PROVISIONAL` (then weekdays only, without the holidays).
SOURCE_FALLBACK = SOURCE_PROVISIONAL


#: chinesecalendar's ``Holiday`` values are English; the screens and letters are Chinese.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@lru_cache(maxsize=None)
def _library_covers(year: int) -> bool:
    """Whether the installed chinesecalendar has the arrangement for ``year``.

    Asked by trying, because the package only says so by raising; cached because the
    answer depends on the installed package only.
    """
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class DayInfo:
    """One day of the calendar and why it is (not) a working day."""

    day: date
    workday: bool
    kind: str     # "workday" | "weekend" | "holiday" | "makeup_workday" (调休上班)
    name: str     # holiday name in Chinese ("国庆节"), "" if none
    source: str   # "chinesecalendar" | "holiday_file" | "statutory_provisional"


def _kind(day: date, workday: bool, name: str) -> str:
    if workday:
        return KIND_MAKEUP if _is_weekend(day) else KIND_WORKDAY
    # A named day off is a holiday even on a Saturday/Sunday inside the holiday block;
    # a weekday off is a holiday whether or not it was given a name.
    if name or not _is_weekend(day):
        return KIND_HOLIDAY
    return KIND_WEEKEND


class WorkCalendar:
    """Official working-day calendar.

    ``overrides`` maps a day to ``(is_workday, name)`` and wins over chinesecalendar; it is
    what :meth:`from_session` loads from the ``calendar_days`` table.
    """

    def __init__(self, overrides: dict[date, tuple[bool, str]] | None = None):
        self._overrides: dict[date, tuple[bool, str]] = {
            day: (bool(workday), name or "") for day, (workday, name) in (overrides or {}).items()
        }
        #: Years whose whole arrangement the overrides hold (see the module docstring).
        self.official_file_years = frozenset(
            year for year in {day.year for day in self._overrides}
            if all(self._overrides.get(day, (True, ""))[0] is False
                   for day in statutory_holidays(year)))
        #: Years counted by the statute's holidays only (no published arrangement); every
        #: due date through them is provisional.
        self.provisional_years: set[int] = set()

    @property
    def uncovered_years(self) -> set[int]:
        """The 0.1 name of :attr:`provisional_years`."""
        return self.provisional_years

    def is_provisional(self, year: int) -> bool:
        """Whether ``year`` has no published arrangement here (neither library nor whole file)."""
        return not _library_covers(year) and year not in self.official_file_years

    @classmethod
    def from_session(cls, session) -> "WorkCalendar":
        """A calendar with every ``CalendarDay`` row as an override."""
        from core.platform.models import CalendarDay  # late: models import half the core

        rows = session.scalars(select(CalendarDay)).all()
        return cls({row.day: (row.is_workday, row.name or "") for row in rows})

    def day_info(self, day: date) -> DayInfo:
        if isinstance(day, dt.datetime):
            # A datetime's date depends on its time zone; silently taking .date() of a UTC
            # timestamp would shift deadlines by a day. Callers use core.platform.clock.local_date().
            raise TypeError("day_info() takes a date; convert with core.platform.clock.local_date()")
        override = self._overrides.get(day)
        if override is not None:
            workday, name = override
            return DayInfo(day, workday, _kind(day, workday, name), name, SOURCE_FILE)
        if day.year in self.official_file_years and not _library_covers(day.year):
            # The file is that year's arrangement: days it does not list are ordinary days.
            workday = not _is_weekend(day)
            return DayInfo(day, workday, _kind(day, workday, ""), "", SOURCE_FILE)
        if _library_covers(day.year):
            workday = chinese_calendar.is_workday(day)
            _on_holiday, english = chinese_calendar.get_holiday_detail(day)
            # For a make-up workday chinesecalendar names the holiday it makes up for.
            name = HOLIDAY_NAMES_ZH.get(english, english) if english else ""
            return DayInfo(day, workday, _kind(day, workday, name), name, SOURCE_LIBRARY)
        if day.year not in self.provisional_years:
            self.provisional_years.add(day.year)
            logger.warning("year %d has no published holiday arrangement (chinesecalendar or a "
                           "holiday file covering the whole year); counting the statutory "
                           "holidays only, provisionally", day.year)
        name = statutory_holidays(day.year).get(day, "")
        workday = not name and not _is_weekend(day)
        return DayInfo(day, workday, _kind(day, workday, name), name, SOURCE_PROVISIONAL)

    def is_workday(self, day: date) -> bool:
        return self.day_info(day).workday


def provisional_warning(year: int) -> str:
    """What a due date counted through a provisional year says, wherever it is shown."""
    return (f"{year}年节假日安排尚未公布，期限暂按{CITATION}的法定节假日计算（不含调休），"
            "公布后重新计算")
