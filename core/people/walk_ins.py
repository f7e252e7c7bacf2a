"""Walk-in applications reach the portal (窗口办件同步到网上门户).

An application filed at a counter belongs to the applicant, not yet to a portal account. It
joins the citizen's 我的办件 once the account is linked to that applicant *by verified
identity*: the account's phone (proved by the SMS code at every login) is the phone the
counter recorded for the person after checking their ID in person. The same ID and name alone
are not enough — anyone who knows them could type them — so an applicant with no phone, or
another phone, on record stays unlinked until a counter records the right one
(:func:`core.people.applicants.change_phone`, which links then).

Linking sets ``Application.citizen_id`` (no state changes) and records one audit event per
application (``walk_in_linked``), so the portal timeline shows when it happened.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.models import Applicant, Application, Citizen

#: What the audit event says the link rests on.
BASIS = "实名登记的身份证号与窗口核验身份后登记的手机号一致（短信验证码已验证本机号码）"


def verified_link(session: Session, citizen: Citizen) -> Applicant | None:
    """The applicant this account is linked to by verified identity, else None."""
    if citizen.applicant_id is None:
        return None
    applicant = session.get(Applicant, citizen.applicant_id)
    if applicant is None or applicant.kind != "person" or not applicant.phone:
        return None
    return applicant if applicant.phone == citizen.phone else None


def link_walk_ins(session: Session, citizen: Citizen, *, actor: str) -> int:
    """Give the citizen's account the applicant's counter applications it does not have yet;
    returns how many. Nothing happens without a verified link (see the module)."""
    applicant = verified_link(session, citizen)
    if applicant is None:
        return 0
    rows = session.scalars(select(Application).where(
        Application.applicant_id == applicant.id, Application.citizen_id.is_(None))
        .order_by(Application.id)).unique().all()
    for app in rows:
        app.citizen_id = citizen.id
        audit.record(session, actor=actor, action="walk_in_linked", object_type="application",
                     object_id=app.id, application_id=app.id, subject=applicant.id_number,
                     data={"citizen_id": citizen.id, "channel": app.channel, "basis": BASIS})
    return len(rows)


def link_by_phone(session: Session, applicant: Applicant, *, actor: str) -> int:
    """After a counter recorded ``applicant``'s phone: link the walk-ins of the portal account
    with that phone, if that account is the applicant's."""
    citizen = session.scalar(select(Citizen).where(Citizen.applicant_id == applicant.id))
    return link_walk_ins(session, citizen, actor=actor) if citizen is not None else 0
