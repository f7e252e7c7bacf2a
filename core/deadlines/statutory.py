"""The statutory holidays (法定节假日) of any year, from the law itself.

《全国年节及纪念日放假办法》（2024年11月10日修订，2025年1月1日起施行）第二条: holidays
for all citizens — 元旦 1 day (1 January); 春节 4 days (除夕 and 正月初一 to 初三); 清明节
1 day (the 清明 solar term); 劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day
(八月十五); 国庆节 3 days (1–3 October).

The lunar dates and the solar term come from ``lunar-python``. What the law does not fix is
the yearly arrangement: which weekends are moved (调休) and which weekdays are made up is
published by the State Council General Office, usually in November for the next year. A
year known only from these rules is therefore **provisional** (暂定) until a holiday file
with the official arrangement is loaded (``quanke calendar load``).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar

#: Where the rule comes from; shown wherever a provisional calendar acts.
CITATION = "《全国年节及纪念日放假办法》（2024年修订）第二条"


def _solar(lunar: Lunar) -> dt.date:
    solar = lunar.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Every statutory day off of ``year`` (Gregorian) with its Chinese name.

    The 春节 of ``year`` is the one whose 正月初一 falls in ``year``; its 除夕 is the day
    before (it may be 29 or 30 腊月). Days of two holidays falling together are listed once.
    """
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    new_year = _solar(Lunar.fromYmd(year, 1, 1))
    for offset in range(-1, 3):  # 除夕, 初一, 初二, 初三
        days[new_year + dt.timedelta(days=offset)] = "春节"
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days[dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    days.setdefault(_solar(Lunar.fromYmd(year, 5, 5)), "端午节")
    days.setdefault(_solar(Lunar.fromYmd(year, 8, 15)), "中秋节")
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = "国庆节"
    return {day: name for day, name in days.items() if day.year == year}
