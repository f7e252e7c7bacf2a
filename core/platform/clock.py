"""Time in one place: aware UTC for storage, Asia/Shanghai for dates people see.

Tests freeze time by passing ``now=`` explicitly; nothing reads the wall clock elsewhere.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: dt.datetime) -> dt.date:
    return local(moment).date()


def today(moment: dt.datetime | None = None) -> dt.date:
    return local_date(moment or now())
