"""Jobs (``func(quanke, **kwargs)``, idempotent): certification follow-up, the catch-up
sweep, the 5 December star rating and the monthly report for the street."""
from __future__ import annotations

import logging

from sqlalchemy import select

from core.api import Application

from plugins.timebank.domain import reports, stars, volunteers
from plugins.timebank.models import Volunteer

log = logging.getLogger(__name__)


def certify_volunteer(quanke, *, application_id: int) -> int | None:
    """After approval of a 志愿者认证申请: profile and accounts (must not be lost)."""
    return volunteers.certify_from_application(quanke, application_id)


def certify_pending(quanke, *, limit: int = 200) -> int:
    """Catch-up: approved certifications whose profile was not created (e.g. the job could
    not be enqueued when Redis was down). Returns how many were certified."""
    with quanke.db.session() as session:
        # done: the applicant's profile comes from this application or a later one
        done = select(Volunteer.id).where(Volunteer.applicant_id == Application.applicant_id,
                                          Volunteer.application_id >= Application.id).exists()
        ids = list(session.scalars(select(Application.id).where(
            Application.service_code == volunteers.SERVICE_CODE, Application.state.in_(volunteers.DECIDED),
            ~done).order_by(Application.id).limit(limit)))
    made = 0
    for app_id in ids:
        try:
            if volunteers.certify_from_application(quanke, app_id) is not None:
                made += 1
        except Exception:  # noqa: BLE001 - one bad application must not stop the sweep
            log.exception("timebank: certifying application %s failed", app_id)
    return made


def award_stars(quanke, *, day: str | None = None) -> int:
    """5 December: star rating of every volunteer (cron ``0 1 5 12 *``)."""
    return stars.award(quanke, day=day)


def monthly_report(quanke, *, month: str | None = None) -> str:
    """1st of the month: last month's report per community for the street."""
    return reports.generate(quanke, month=month).month
