"""Loading the State Council's holiday arrangement: from ``quanke calendar load`` or, at every
start, from the file named by the ``HOLIDAY_FILE`` setting; then every running application
whose due date went through a year the load made official is counted again
(:func:`core.approval.provisional.recompute_provisional`) and its applicant told.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from core.approval.provisional import newly_official, recompute_provisional
from core.deadlines import WorkCalendar, load_holiday_file
from core.platform.errors import QuankeError

log = logging.getLogger(__name__)


@dataclass
class HolidayLoad:
    days: int
    official_years: list[int]
    moved: list[dict] = field(default_factory=list)


def apply_holiday_file(quanke, path, *, progress=lambda it: it) -> HolidayLoad:
    """Load ``path`` (all or nothing) and recompute what the load made official."""
    for attempt in (1, 2):   # several processes starting at once may insert the same day
        try:
            with quanke.db.session() as session:
                before = WorkCalendar.from_session(session)
                days = load_holiday_file(session, path)
                after = WorkCalendar.from_session(session)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    years = sorted(newly_official(before, after))
    quanke.forget_calendar()
    moved = recompute_provisional(quanke, years, progress=progress) if years else []
    return HolidayLoad(days, years, moved)


def load_configured_holidays(quanke) -> HolidayLoad | None:
    """At start: the ``HOLIDAY_FILE`` setting, if any. A broken or missing file is logged as
    an error and reported by ``/readyz`` (it never stops the start)."""
    path = quanke.config.get("HOLIDAY_FILE")
    if not path:
        return None
    try:
        result = apply_holiday_file(quanke, path)
    except (QuankeError, OSError) as exc:
        message = getattr(exc, "message", str(exc))
        log.error("HOLIDAY_FILE %s not loaded: %s", path, message)
        quanke.holiday_file_error = message
        return None
    quanke.holiday_file_error = None
    if result.moved:
        log.warning("HOLIDAY_FILE made %s official: %d due dates recomputed",
                    result.official_years, len(result.moved))
    return result
