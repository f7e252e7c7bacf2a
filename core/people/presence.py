"""The person at the counter (窗口当面核验): a counter worker who has read a person's ID and
typed its number is helping that person for the next :data:`PRESENCE_MINUTES` minutes.

That is what lets the worker touch the person's private draft (修改草稿) and see their full
personal data outside the worker's own centre's cases (同城取件: the result in hand at
pick-up, after the ID re-check). Knowing an application's id is not enough; the masked lists
never show the number that has to be typed.

The identification is the audit event itself (``applicant_identified``, indexed by actor), so
it is recorded once, in the caller's transaction, and nothing else has to be kept.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.actors import actor_key
from core.platform.clock import now
from core.platform.errors import Forbidden, NotFound
from core.platform.models import Applicant, User

#: How long one ID check counts as "the person is at this window". The statute names no
#: figure (个人信息保护法第五十一条 asks for access control, not a number): one counter visit.
PRESENCE_MINUTES = 30
IDENTIFIED = "applicant_identified"


def identified(session: Session, user: User, applicant: Applicant, *, how: str) -> None:
    """Record that ``user`` has just read ``applicant``'s ID at the counter (``how``: the
    page or API that took the number). Call only after the typed number matched."""
    audit.record(session, actor=actor_key(user), action=IDENTIFIED, object_type="applicant",
                 object_id=applicant.id, subject=applicant.id_number,
                 data={"how": how, "centre_id": user.centre_id})


def identify(session: Session, user: User, applicant_id: int, id_number: str, *, how: str) -> Applicant:
    """Re-check the ID the person shows: the typed number must be the applicant's own
    (full-width or other look-alike digits are read as ASCII); :class:`Forbidden` otherwise."""
    from core.people.applicants import stored_number
    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise NotFound("申请人不存在", code="applicant_not_found")
    typed = (id_number or "").strip()
    if not typed or stored_number(applicant.kind, typed) != applicant.id_number:
        raise Forbidden("证件号码与申请人不一致，请核对申请人出示的证件", code="identity_mismatch",
                        field="id_number")
    identified(session, user, applicant, how=how)
    return applicant


def is_present(session: Session, user, applicant_id: int | None) -> bool:
    """``user`` identified this applicant at the counter within the last PRESENCE_MINUTES."""
    if not isinstance(user, User) or applicant_id is None:
        return False
    number = session.scalar(select(Applicant.id_number).where(Applicant.id == applicant_id))
    if number is None:
        return False
    since = now() - dt.timedelta(minutes=PRESENCE_MINUTES)
    event = audit.AuditEvent
    return session.scalar(select(event.id).where(
        event.actor == actor_key(user), event.action == IDENTIFIED, event.subject_index == number,
        event.object_id == str(applicant_id), event.at >= since).limit(1)) is not None
