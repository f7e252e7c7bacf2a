"""Messages to holders through the core outbox (written in the operation's transaction)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Applicant, add_notification

from plugins.timebank.models import Holder, Team, Volunteer


def phone_of(session: Session, holder: Holder) -> str:
    if holder.applicant_id is not None:
        return session.scalar(select(Applicant.phone).where(Applicant.id == holder.applicant_id)) or ""
    leader = session.scalar(select(Volunteer.applicant_id).join(Team, Team.leader_id == Volunteer.id)
                            .where(Team.holder_id == holder.id))
    if leader is None:
        return ""
    return session.scalar(select(Applicant.phone).where(Applicant.id == leader)) or ""


def tell(session: Session, holder: Holder, event: str, subject: str, body: str) -> bool:
    """Queue an SMS to the holder (or a team's leader); False when there is no phone."""
    phone = phone_of(session, holder)
    if not phone:
        return False
    add_notification(session, event=f"timebank_{event}", recipient_kind="applicant", recipient=phone,
               subject=subject, body=f"【时间银行】{body}")
    return True
