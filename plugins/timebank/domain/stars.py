"""Star rating (星级评定) on International Volunteer Day, 5 December, by cumulative hours.

Thresholds default to the national volunteer-record levels (★100 h … ★★★★★1,500 h) and
are configurable (``TIMEBANK_STAR_HOURS``). Hours are those served before the day begins
(Beijing time). The job is idempotent per year: a second run awards nothing new.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.api import LOCAL_TZ, new_verification_code, record_audit, today

from plugins.timebank.domain import deposits, ledger
from plugins.timebank.models import Holder, StarAward, Volunteer
from plugins.timebank.domain.notify import tell
from plugins.timebank.domain.settings import Settings, settings

VOLUNTEER_DAY = (12, 5)


def level(minutes: int, rules: Settings) -> int:
    return sum(1 for threshold in rules.star_minutes if minutes >= threshold)


def stars_text(n: int) -> str:
    return "★" * n if n else "未达星级"


def award(quanke, *, day: dt.date | str | None = None) -> int:
    """Rate every active volunteer for ``day``'s year; returns how many awards were made."""
    rules = settings(quanke)
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or today()
    cutoff = dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
    made = 0
    with quanke.db.session() as session:
        served = deposits.served_by_holder(session, cutoff)
        done = set(session.scalars(select(StarAward.volunteer_id).where(StarAward.year == day.year)))
        for volunteer in session.scalars(select(Volunteer).where(Volunteer.status == "active").order_by(Volunteer.id)):
            minutes = served.get(volunteer.holder_id, 0)
            stars = level(minutes, rules)
            if not stars or volunteer.id in done:
                continue
            row = StarAward(volunteer_id=volunteer.id, year=day.year, stars=stars, cumulative_minutes=minutes,
                            awarded_on=day, verification_code=new_verification_code())
            session.add(row)
            session.flush()
            previous, volunteer.stars = volunteer.stars, stars
            holder = session.get(Holder, volunteer.holder_id)
            if stars > previous:
                tell(session, holder, "stars", "星级志愿者评定",
                     f"国际志愿者日，您累计服务{ledger.fmt_minutes(minutes)}，被评为{stars_text(stars)}星级志愿者，"
                     "可在时间银行下载星级证书。")
            record_audit(session, actor="system", action="timebank.stars_awarded", object_type="tb_star_award",
                         object_id=row.id, subject=holder.subject if holder else "",
                         data={"volunteer": volunteer.id, "year": day.year, "stars": stars, "minutes": minutes})
            made += 1
    return made
