"""A citizen's consent for a centre to help with their drafts (授权窗口协助修改草稿).

A draft is private to the citizen. A counter worker may open or change it only while helping
that citizen: the citizen at the window with their ID re-checked (:mod:`core.people.presence`)
or — this module — a consent the citizen gave from the portal, to one centre, for a limited
time (at most :data:`MAX_HOURS`), revocable at any time.

Like the presence check, the consent *is* the audit trail: a ``draft_help_consent_granted``
event (centre and expiry in its data) and a ``draft_help_consent_revoked`` event, both about
the citizen's applicant record, so granting, revoking and every later use are audited and
nothing else has to be kept. The latest event for a centre decides.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.actors import actor_key
from core.platform.clock import now
from core.platform.errors import InvalidInput, NotFound
from core.platform.models import Applicant, Centre, Citizen

GRANTED = "draft_help_consent_granted"
REVOKED = "draft_help_consent_revoked"
#: The longest a consent may run; the citizen picks 1..MAX_HOURS (default one working day).
MAX_HOURS = 72
DEFAULT_HOURS = 24


@dataclass(frozen=True)
class Consent:
    centre_id: int
    granted_at: dt.datetime
    until: dt.datetime


def _applicant(session: Session, citizen: Citizen) -> Applicant:
    applicant = session.get(Applicant, citizen.applicant_id) if citizen.applicant_id else None
    if applicant is None:
        raise InvalidInput("请先完成实名认证，再授权窗口协助办理", code="real_name_required")
    return applicant


def grant(session: Session, citizen: Citizen, centre_id: int, hours: int = DEFAULT_HOURS) -> Consent:
    """The citizen lets counter workers at ``centre_id`` open and change their drafts for
    ``hours`` hours (replacing an earlier consent to that centre)."""
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"授权时长须为 1 至 {MAX_HOURS} 小时", code="consent_hours_invalid",
                           field="hours")
    if session.get(Centre, centre_id) is None:
        raise NotFound("服务中心不存在", code="centre_not_found", field="centre_id")
    applicant = _applicant(session, citizen)
    at = now()
    until = at + dt.timedelta(hours=hours)
    audit.record(session, actor=actor_key(citizen), action=GRANTED, object_type="applicant",
                 object_id=applicant.id, subject=applicant.id_number, at=at,
                 data={"centre_id": centre_id, "until": until.isoformat(), "hours": hours})
    return Consent(centre_id, at, until)


def revoke(session: Session, citizen: Citizen, centre_id: int) -> bool:
    """Withdraw the consent to ``centre_id``; False when there was none in force."""
    applicant = _applicant(session, citizen)
    if centre_id not in {c.centre_id for c in active(session, applicant.id)}:
        return False
    audit.record(session, actor=actor_key(citizen), action=REVOKED, object_type="applicant",
                 object_id=applicant.id, subject=applicant.id_number, data={"centre_id": centre_id})
    return True


def active(session: Session, applicant_id: int | None) -> list[Consent]:
    """The consents in force for this applicant, by centre."""
    if applicant_id is None:
        return []
    event = audit.AuditEvent
    at = now()
    rows = session.execute(select(event.action, event.at, event.data).where(
        event.object_type == "applicant", event.object_id == str(applicant_id),
        event.action.in_((GRANTED, REVOKED)), event.at >= at - dt.timedelta(hours=MAX_HOURS))
        .order_by(event.at, event.id)).all()
    latest: dict[int, Consent | None] = {}
    for action, when, data in rows:
        centre = (data or {}).get("centre_id")
        if not isinstance(centre, int):
            continue
        if action == GRANTED:
            until = dt.datetime.fromisoformat(data["until"])
            latest[centre] = Consent(centre, when, until)
        else:
            latest[centre] = None
    return [c for c in latest.values() if c is not None and c.until > at]


def has_consent(session: Session, applicant_id: int | None, centre_id: int | None) -> bool:
    """The applicant has a consent in force for workers of ``centre_id``."""
    return centre_id is not None and any(c.centre_id == centre_id for c in active(session, applicant_id))
