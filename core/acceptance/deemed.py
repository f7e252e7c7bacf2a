"""Outcomes the law attaches to the office's own inaction: deemed acceptance (视为受理).

《行政许可法》第三十二条: an office that neither accepts nor issues the one-time correction notice
within five working days of receiving the materials has accepted the application from the day
of receipt. :func:`deem_accepted_unnoticed` (scheduled daily) applies that to every submitted
application whose service's clock carries the rule: accepted by the system, dated the day of
receipt, numbered, timed, audited and the applicant told. Services whose statute sets no such
window (``LegalClock.notice_within_days is None``) are left alone.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.acceptance.receipts import next_receipt_no
from core.deadlines import compute_due_date
from core.deadlines.explain import clock_of, notice_window_end, received_on
from core.jobs import outbox
from core.papers import issuance
from core.platform.actors import SYSTEM
from core.platform.clock import LOCAL_TZ, today
from core.platform.errors import InvalidState
from core.platform.models import Application, Centre, CentreService, State
from core.statemachine.notices import message_to_applicant, message_to_department
from core.statemachine.transitions import transition


def deem_accepted_unnoticed(quanke, *, day: str | dt.date | None = None) -> int:
    """Accept, as the law deems, every submitted application past its notice window before
    ``day`` (default today); returns how many. Running it twice does nothing more."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or today()
    with quanke.db.session() as session:
        candidates = session.scalars(select(Application).where(
            Application.state == State.SUBMITTED.value)).all()
        due = [app.id for app in candidates if _window_passed(quanke, session, app, day)]
    done = 0
    for app_id in due:
        try:
            _deem_accepted(quanke, app_id, day=day)
            done += 1
        except InvalidState:
            continue  # accepted, noticed or withdrawn in the meantime
    return done


def _window_passed(quanke, session, app: Application, day: dt.date) -> bool:
    clock = clock_of(quanke, app)
    if not clock.deemed_accepted:
        return False
    end = notice_window_end(quanke, session, clock, app)
    return end is not None and end < day


def _deem_accepted(quanke, app_id: int, *, day: dt.date) -> Application:
    def body(session, app, _who):
        if app.state != State.SUBMITTED.value:
            raise InvalidState("申请已不在待受理状态", code="invalid_state")
        if not _window_passed(quanke, session, app, day):
            raise InvalidState("尚未超过告知期限", code="invalid_state")
        clock = clock_of(quanke, app)
        received = received_on(app)
        # Accepted "from the day the materials were received": the acceptance date, the
        # receipt number's day and day 0 of the clock are all the day of receipt.
        accepted_at = dt.datetime.combine(received, dt.time(12), LOCAL_TZ).astimezone(dt.timezone.utc)
        centre = _receiving_centre(session, app)
        due = compute_due_date(quanke.calendar(session), received, clock.days, counting=clock.counting)
        app.state, app.accepted_at, app.deemed = State.ACCEPTED.value, accepted_at, "accepted"
        app.centre_id = centre.id if centre is not None else app.centre_id
        app.receipt_no = next_receipt_no(session, centre, received) if centre is not None else None
        app.deadline_working_days, app.due_date = clock.days, due.due_date
        app.clock_rule = app.clock_rule or clock.to_record()
        reason = (f"收到申请材料后{clock.notice_within_days}个工作日内未受理也未一次告知补正，"
                  f"依{clock.notice_basis}，自{received:%Y年%m月%d日}起视为受理")
        provisional = "（暂定：节假日安排公布后可能调整）" if due.provisional else ""
        to_applicant = message_to_applicant(
            app, "deemed_accepted", "视为受理",
            f"{reason}。受理编号{app.receipt_no or app.number}，办结期限{app.due_date:%Y年%m月%d日}{provisional}。")
        outbox.add_many(session, [m for m in (to_applicant, message_to_department(
            app, "new_work", f"视为受理件 {app.receipt_no or app.number} 待认领")) if m is not None])
        documents = []
        if centre is not None:
            doc = issuance.record_document(session, app, "receipt", by_id=None,
                                           service=quanke.service(app.service_code), at=accepted_at)
            documents.append(doc.id)
        return {"reason": reason, "basis": str(clock.notice_basis), "receipt_no": app.receipt_no,
                "received_on": received.isoformat(), "due_date": app.due_date.isoformat(),
                "_notify": to_applicant is not None, "_documents": documents}
    return transition(quanke, SYSTEM, app_id, "deem_accept", body)


def _receiving_centre(session, app: Application) -> Centre | None:
    """The centre that received the application; for one filed online, the highest-level
    centre authorised for its service (it numbers the receipt)."""
    if app.centre_id is not None:
        return session.get(Centre, app.centre_id)
    order = {"district": 0, "street": 1, "community": 2}
    centres = session.scalars(select(Centre).join(CentreService, CentreService.centre_id == Centre.id)
                              .where(CentreService.service_code == app.service_code)).all()
    return min(centres, key=lambda c: (order.get(c.level, 9), c.id), default=None)
