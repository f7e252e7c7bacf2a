"""Where a legal-aid case stands, combining the core state with the plugin's own records."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Application, State

from plugins.legal_aid.models import Objection, Termination, UrgentAid

SERVICE = "legal_aid.application"
GRANTED_STATES = (State.APPROVED.value, State.ISSUED.value, State.DELIVERED.value)
PENDING_STATES = (State.SUBMITTED.value, State.CORRECTION_REQUESTED.value, State.ACCEPTED.value,
                  State.IN_REVIEW.value)

LABELS = {
    "pending": "审查中", "urgent": "先行援助中", "granted": "已给予法律援助",
    "granted_on_correction": "改正后给予法律援助", "refused": "不予法律援助",
    "terminated": "已终止法律援助", "withdrawn": "已撤回", "deemed_withdrawn": "逾期未补正视为撤回",
    "not_accepted": "不予受理", "draft": "草稿",
}


def terminations_in_force(session: Session, app_id: int) -> list[Termination]:
    return list(session.scalars(select(Termination).where(
        Termination.application_id == app_id, Termination.status == "in_force")))


def correction_granted(session: Session, app_id: int) -> Objection | None:
    """The objection whose ordered correction of a refusal the centre carried out."""
    return session.scalars(select(Objection).where(
        Objection.application_id == app_id, Objection.against == "refusal",
        Objection.status == "corrected", Objection.corrected_at.is_not(None))
        .order_by(Objection.id.desc()).limit(1)).first()


def is_granted(session: Session, app: Application) -> bool:
    if app.state in GRANTED_STATES:
        return True
    return app.state == State.REJECTED.value and correction_granted(session, app.id) is not None


def aid_in_force(session: Session, app: Application) -> str | None:
    """"granted", "urgent" (Art. 44, before the decision) or None."""
    if terminations_in_force(session, app.id):
        return None
    if is_granted(session, app):
        return "granted"
    urgent = session.scalar(select(UrgentAid).where(UrgentAid.application_id == app.id))
    if urgent is not None and urgent.status == "in_force" and app.state in PENDING_STATES:
        return "urgent"
    return None


def case_status(session: Session, app: Application, *, deemed_withdrawn: bool = False) -> str:
    if app.state == State.DRAFT.value:
        return "draft"
    if terminations_in_force(session, app.id):
        return "terminated"
    if app.state in GRANTED_STATES:
        return "granted"
    if app.state == State.REJECTED.value:
        return "granted_on_correction" if correction_granted(session, app.id) else "refused"
    if app.state == State.WITHDRAWN.value:
        return "deemed_withdrawn" if deemed_withdrawn else "withdrawn"
    if app.state == State.NOT_ACCEPTED.value:
        return "not_accepted"
    urgent = session.scalar(select(UrgentAid).where(UrgentAid.application_id == app.id))
    return "urgent" if urgent is not None and urgent.status == "in_force" else "pending"


def application_ids(session: Session, column, *conditions) -> set[int]:
    """Application ids in one of the plugin's tables (they hold one row per case at most a
    few times over, so reading them whole beats sending thousands of ids to the database)."""
    return set(session.scalars(select(column).where(*conditions)))


def bulk_statuses(session: Session, apps, deemed: set[int]) -> dict[int, str]:
    """:func:`case_status` for many applications (objects with ``id`` and ``state``) with three
    queries, for lists and statistics."""
    terminated = application_ids(session, Termination.application_id, Termination.status == "in_force")
    urgent = application_ids(session, UrgentAid.application_id, UrgentAid.status == "in_force")
    corrected = application_ids(session, Objection.application_id, Objection.against == "refusal",
                                Objection.status == "corrected", Objection.corrected_at.is_not(None))
    out = {}
    for app in apps:
        if app.state == State.DRAFT.value:
            code = "draft"
        elif app.id in terminated:
            code = "terminated"
        elif app.state in GRANTED_STATES:
            code = "granted"
        elif app.state == State.REJECTED.value:
            code = "granted_on_correction" if app.id in corrected else "refused"
        elif app.state == State.WITHDRAWN.value:
            code = "deemed_withdrawn" if app.id in deemed else "withdrawn"
        elif app.state == State.NOT_ACCEPTED.value:
            code = "not_accepted"
        else:
            code = "urgent" if app.id in urgent else "pending"
        out[app.id] = code
    return out
