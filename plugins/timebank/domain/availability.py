"""When a volunteer can serve: weekly slots ``"<weekday><period>"`` (weekday 1 = Monday …
7 = Sunday; period ``am`` before 12:00, ``pm`` 12–18, ``ev`` after 18:00)."""
from __future__ import annotations

import datetime as dt

from core.api import local

PERIODS = (("am", "上午"), ("pm", "下午"), ("ev", "晚上"))
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
ALL_SLOTS = tuple(f"{d}{p}" for d in range(1, 8) for p, _ in PERIODS)

_DAY_WORDS = {"周一": [1], "周二": [2], "周三": [3], "周四": [4], "周五": [5], "周六": [6],
              "周日": [7], "周天": [7], "星期一": [1], "星期二": [2], "星期三": [3], "星期四": [4],
              "星期五": [5], "星期六": [6], "星期日": [7], "星期天": [7],
              "工作日": [1, 2, 3, 4, 5], "周末": [6, 7], "双休日": [6, 7], "每天": list(range(1, 8)),
              "天天": list(range(1, 8))}
_PERIOD_WORDS = {"上午": ["am"], "早上": ["am"], "下午": ["pm"], "中午": ["pm"], "晚上": ["ev"],
                 "傍晚": ["ev"], "夜间": ["ev"], "白天": ["am", "pm"], "全天": ["am", "pm", "ev"]}


def slot_label(slot: str) -> str:
    return WEEKDAYS[int(slot[0]) - 1] + dict(PERIODS)[slot[1:]]


def parse(text: str) -> list[str]:
    """Slots from free text such as “工作日晚上、周末全天”. Each clause (split at 、,，;；)
    names days and periods; a clause with days only means the whole day, periods only
    means every day. Unrecognised text gives no slots (the profile says 未登记)."""
    slots: set[str] = set()
    for clause in [c for c in _clauses(text or "") if c]:
        days = sorted({d for word, ds in _DAY_WORDS.items() if word in clause for d in ds})
        periods = sorted({p for word, ps in _PERIOD_WORDS.items() if word in clause for p in ps})
        if not days and not periods:
            continue
        for d in days or range(1, 8):
            for p in periods or ("am", "pm", "ev"):
                slots.add(f"{d}{p}")
    return sorted(slots)


def _clauses(text: str) -> list[str]:
    for sep in "，,;；/ 和及":
        text = text.replace(sep, "、")
    return [c.strip() for c in text.split("、")]


def clean(slots) -> list[str]:
    return sorted({s for s in slots or () if s in ALL_SLOTS})


def period_of(hour: int) -> str:
    return "am" if hour < 12 else ("pm" if hour < 18 else "ev")


def needed(start: dt.datetime, end: dt.datetime) -> list[str]:
    """The slots a time window (aware datetimes) touches, in Beijing time."""
    out: list[str] = []
    cursor = local(start)
    stop = local(end)
    while cursor < stop:
        slot = f"{cursor.isoweekday()}{period_of(cursor.hour)}"
        if slot not in out:
            out.append(slot)
        cursor = (cursor + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return out
