"""The due date of one application, explained (start, days counted, skipped days, pauses,
extension) from what was stored at acceptance and the service's counting rule.
"""
from __future__ import annotations
import logging
from sqlalchemy.orm import Session
from core.platform.clock import local_date
from core.deadlines import DueDateExplanation, Pause, compute_due_date
from core.platform.models import (Application)
log = logging.getLogger(__name__)


def due_date_explanation(quanke, session: Session, app: Application) -> DueDateExplanation | None:
    """How the due date was computed: start, working days, skipped days, pauses, extension."""
    if app.accepted_at is None or app.deadline_working_days is None:
        return None
    pauses = [Pause(local_date(p.started_at), local_date(p.ended_at) if p.ended_at else None,
                    p.reason) for p in app.pauses]
    counting = quanke.plugins.services[app.service_code].deadline_counting \
        if app.service_code in quanke.plugins.services else "working_days"
    return compute_due_date(quanke.calendar(session), local_date(app.accepted_at),
                            app.deadline_working_days, pauses=pauses,
                            extension_days=app.extension_days,
                            extension_reason=app.extension_reason, counting=counting)
