"""Appending events (留痕) in the caller's transaction, unsealed."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from core.platform.clock import now

log = logging.getLogger(__name__)
from core.platform.audit.models import PENDING, AuditEvent
from core.platform.audit.hashing import _normalise
from core.platform.audit.models import _APPEND


def record(session: Session, *, actor: str, action: str, object_type: str, object_id: Any,
           application_id: int | None = None, subject: str = "", data: dict | None = None,
           at: dt.datetime | None = None) -> AuditEvent:
    """Append one event in the caller's transaction; it is sealed after the commit.

    One plain INSERT, now (no unit-of-work round, no lock), so it may be called anywhere in
    the transaction; a rollback takes the event with it. Returns the event as written
    (not attached to the session; ``seq`` and the hashes are set by the sealer).
    """
    values = {"at": at or now(), "actor": actor, "action": action, "object_type": object_type,
              "object_id": str(object_id), "application_id": application_id, "subject": subject,
              "data": _normalise(data)}
    session.execute(_APPEND, {**values, "subject_index": subject})
    session.info[PENDING] = True
    return AuditEvent(**values)


def record_view(session: Session, *, actor: str, object_type: str, object_id: Any,
                subject: str, fields: list[str], reason: str = "",
                application_id: int | None = None) -> AuditEvent:
    """Log that a staff member saw personal data unmasked (查看个人信息留痕)."""
    return record(session, actor=actor, action="view_personal_data", object_type=object_type,
                  object_id=object_id, application_id=application_id, subject=subject,
                  data={"fields": fields, "reason": reason})
