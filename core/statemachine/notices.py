"""Notification rows (outbox) a transition writes for the applicant or the department."""
from __future__ import annotations
import logging
from sqlalchemy.orm import Session
from core.jobs import outbox
from core.platform.models import (Application)
log = logging.getLogger(__name__)


def message_to_applicant(app: Application, event: str, subject: str, body: str) -> dict | None:
    """An SMS to the applicant (:func:`core.jobs.outbox.add`'s fields), None without a phone."""
    phone = app.applicant.phone
    if not phone:
        return None
    return {"event": event, "application_id": app.id, "recipient_kind": "applicant",
            "recipient": phone, "subject": subject, "body": f"您的申请（{app.number}）{body}"}


def message_to_department(app: Application, event: str, body: str) -> dict:
    """An internal message to the service's department."""
    return {"event": event, "application_id": app.id, "recipient_kind": "department",
            "recipient": app.department_code, "channel": "internal", "subject": event,
            "body": body}


def notify_applicant(session: Session, app: Application, event: str, subject: str,
                      body: str) -> bool:
    message = message_to_applicant(app, event, subject, body)
    if message is not None:
        outbox.add(session, **message)
    return message is not None


def notify_department(session: Session, app: Application, event: str, body: str) -> bool:
    outbox.add(session, **message_to_department(app, event, body))
    return True
