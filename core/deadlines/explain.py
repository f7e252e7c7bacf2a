"""The due date of one application, explained (start, days counted, skipped days, pauses,
extension, the articles that set each number) from the legal clock stored on it.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from core.contract.legal_clock import LegalClock, licensing_clock
from core.deadlines.due_dates import DueDateExplanation, Pause, add_working_days, compute_due_date
from core.platform.clock import local_date
from core.platform.models import Application

log = logging.getLogger(__name__)


def clock_of(quanke, app: Application) -> LegalClock:
    """The clock an application runs on: the snapshot taken when it was received, else its
    service's declaration (an application older than the snapshot, or a test double)."""
    if app.clock_rule:
        return LegalClock.from_record(app.clock_rule)
    service = quanke.plugins.services.get(app.service_code)
    if service is not None:
        return service.legal_clock
    return licensing_clock(app.deadline_working_days or 20)


def clock_start(clock: LegalClock, app: Application) -> dt.date | None:
    """Day 0 of the clock: the acceptance date, or the receipt date for a clock that starts
    on receipt (法律援助法第四十三条 "自收到申请之日起") — but only once the application was
    accepted; before that nothing is running."""
    if app.accepted_at is None:
        return None
    if clock.starts == "receipt":
        return received_on(app)
    return local_date(app.accepted_at)


def received_on(app: Application) -> dt.date:
    """The day the application (or its corrected materials) reached a counter or the portal
    (收到申请之日): ``submitted_at``, which only the system sets — at filing, on online
    submission and on resubmission after a correction — never a date the applicant types."""
    return local_date(app.submitted_at or app.created_at)


def notice_window_end(quanke, session: Session, clock: LegalClock, app: Application) -> dt.date | None:
    """The last day a one-time correction notice may be issued (许可法第三十二条: five working
    days after receipt); None where the statute sets no window."""
    if clock.notice_within_days is None:
        return None
    return add_working_days(quanke.calendar(session), received_on(app), clock.notice_within_days)


def basis_lines(clock: LegalClock, *, extended: bool = False, paused: bool = False) -> list[str]:
    """The articles behind a due date, one line each, the limit first."""
    lines = [f"办理时限 {clock.days}{clock.unit}：{clock.basis}"]
    if not clock.counting_basis.is_silent:
        lines.append(f"计算方式：{clock.counting_basis}")
    if extended:
        lines.append(f"延长：{clock.extension_basis}")
    if paused:
        lines.append(f"中止计时：{clock.pause_basis}")
    return lines


def due_date_explanation(quanke, session: Session, app: Application) -> DueDateExplanation | None:
    """How the due date was computed: start, days, skipped days, pauses, extension, basis."""
    clock = clock_of(quanke, app)
    start = clock_start(clock, app)
    if start is None or app.deadline_working_days is None:
        return None
    pauses = [Pause(local_date(p.started_at), local_date(p.ended_at) if p.ended_at else None,
                    p.reason) for p in app.pauses]
    return compute_due_date(
        quanke.calendar(session), start, app.deadline_working_days, pauses=pauses,
        extension_days=app.extension_days, extension_reason=app.extension_reason,
        counting=clock.counting,
        start_label="收到申请日期" if clock.starts == "receipt" else "受理日期",
        basis=basis_lines(clock, extended=bool(app.extension_days), paused=bool(pauses)))
