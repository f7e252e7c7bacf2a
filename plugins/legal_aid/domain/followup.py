"""What the system does after a legal-aid decision, whichever page or API made it.

* grant (core ``approve``): issue the 给予法律援助决定书 (the core certificate) and assign a
  lawyer within 3 days (Art. 43). The service declares ``decision_letters="own"``, so the core
  writes no licensing-worded letter; one written before that (older cases) is superseded;
  a lawyer already giving urgent aid (Art. 44) simply continues;
* refusal (core ``reject``): the 不予法律援助决定书 with reasons and the right to object
  (Art. 43, 49), ending any urgent aid;
* withdrawal or refusal to accept: urgent aid ends;
* an integrity commitment received as a material becomes a core commitment record (Art. 41).

These reactions run from :func:`follow_up`, enqueued (must not lose) by the plugin's
``application_event`` hook after every decision, whoever made it; the scheduled :func:`sweep`
catches up anything a lost job left behind. Every step is idempotent.
"""
from __future__ import annotations

import logging

from sqlalchemy import and_, exists, not_, or_, select

from core.api import (
    SYSTEM,
    Application,
    Commitment,
    Conflict,
    Decision,
    Document,
    InvalidState,
    Material,
    State,
    issue,
    local_date,
    material_statuses,
    record_audit,
    sign_commitment,
)
from core.api import now as utcnow

from plugins.legal_aid.domain import roster
from plugins.legal_aid.domain.deadlines import due_on
from plugins.legal_aid.domain.law import ASSIGNMENT_DAYS, COMMITMENT_TEXT, cite
from plugins.legal_aid.domain.notifications import is_notification, notice_received_on
from plugins.legal_aid.documents.letters import enqueue_render, record_letter, replace_core_letter
from plugins.legal_aid.models import Assignment, Objection, Termination, UrgentAid
from plugins.legal_aid.domain.status import GRANTED_STATES, SERVICE, aid_in_force, correction_granted, is_granted

log = logging.getLogger(__name__)
SWEEP_LIMIT = 200


def _lock(session, app_id: int) -> Application | None:
    stmt = select(Application).where(Application.id == app_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Application)
    return session.scalars(stmt).unique().first()


def counting(quanke) -> str:
    return quanke.service(SERVICE).deadline_counting


def follow_up(quanke, *, application_id: int) -> list[str]:
    """Job: bring one application's legal-aid records in step with its decision."""
    with quanke.db.session() as session:
        app = session.get(Application, application_id)
        if app is None or app.service_code != SERVICE:
            return []
        state = app.state
    done: list[str] = []
    if ensure_commitment(quanke, application_id):
        done.append("commitment")
    if state == State.APPROVED.value:
        try:
            issue(quanke, SYSTEM, application_id)
            done.append("issued")
        except InvalidState:
            pass  # issued meanwhile
    if replace_approval_letter(quanke, application_id):
        done.append("letter_replaced")
    if ensure_assignment(quanke, application_id):
        done.append("assigned")
    if ensure_refusal_letter(quanke, application_id):
        done.append("refusal_letter")
    if end_urgent_aid_if_over(quanke, application_id):
        done.append("urgent_ended")
    return done


def enqueue_follow_up(quanke, application_id: int) -> None:
    try:
        quanke.jobs.enqueue("plugins.legal_aid.domain.followup.follow_up", must_not_lose=True,
                            job_id=f"la-follow-up-{application_id}", application_id=application_id)
    except Exception:  # noqa: BLE001 - the decision is committed; the sweep catches up
        log.exception("could not enqueue legal-aid follow-up for %s", application_id)


# -- the steps --------------------------------------------------------------------------------

def ensure_commitment(quanke, application_id: int) -> bool:
    """A signed 个人诚信承诺书 (material ``integrity_commitment``) → a core commitment (Art. 41)."""
    with quanke.db.session() as session:
        app = session.get(Application, application_id)
        if app is None or material_statuses(app).get("integrity_commitment") not in ("paper", "scan"):
            return False
        have = session.scalar(select(Commitment.id).where(
            Commitment.application_id == app.id))
        if have is not None:
            return False
        sign_commitment(session, applicant_id=app.applicant_id, service_code=SERVICE,
                               text=COMMITMENT_TEXT, application_id=app.id, actor="system")
        return True


def replace_approval_letter(quanke, application_id: int) -> bool:
    with quanke.db.session() as session:
        app = session.get(Application, application_id)
        if app is None or app.state not in GRANTED_STATES:
            return False
        cert = session.scalars(select(Document).where(
            Document.application_id == app.id, Document.kind == "certificate",
            Document.status == "valid").order_by(Document.id.desc()).limit(1)).first()
        if cert is None:
            return False
        return replace_core_letter(session, app, "decision_approve", cert, actor="system") > 0


def decided_on(session, app: Application):
    corrected = correction_granted(session, app.id) if app.state == State.REJECTED.value else None
    moment = corrected.corrected_at if corrected else app.decided_at
    return local_date(moment) if moment else None


def assignment_start(session, app: Application):
    """Day 0 of the three days to assign a lawyer, and the rule: from the decision to grant
    (Art. 43), or for an organ's notification from its receipt (Art. 36)."""
    if is_notification(app.form_data):
        return notice_received_on(app), "收到通知后指派（" + cite("第三十六条") + "）"
    return decided_on(session, app), "决定给予法律援助后指派（" + cite("第四十三条第一款") + "）"


def ensure_assignment(quanke, application_id: int, *, kind: str = "grant", actor: str = "system") -> bool:
    """A granted case without a lawyer gets one (Art. 43: within 3 days of the decision)."""
    with quanke.db.session() as session:
        app = _lock(session, application_id)
        if app is None or aid_in_force(session, app) != "granted":
            return False
        current = roster.active_assignment(session, app.id)
        urgent = session.scalar(select(UrgentAid).where(UrgentAid.application_id == app.id))
        if urgent is not None and urgent.status == "in_force":
            urgent.status = "granted"
            record_audit(session, actor=actor, action="la_urgent_confirmed", object_type="la_urgent_aid",
                         object_id=urgent.id, application_id=app.id, subject=app.applicant.id_number,
                         data={"lawyer": current.lawyer_id if current else None,
                               "basis": cite("第四十三条、第四十四条")})
        if current is not None:
            return False
        start, why = assignment_start(session, app)
        due = due_on(quanke.calendar(session), start, ASSIGNMENT_DAYS, counting(quanke)) if start else None
        try:
            roster.assign(session, app, kind=kind, actor=actor, due_on=due, reason=why)
        except Conflict as exc:
            log.warning("legal aid %s waits for a lawyer: %s", app.number, exc.message)
            return False
        return True


def ensure_refusal_letter(quanke, application_id: int) -> bool:
    """The 不予法律援助决定书 for the latest refusal (replacing a core licensing letter that an
    older case may still hold)."""
    doc_id = None
    with quanke.db.session() as session:
        app = session.get(Application, application_id)
        if app is None or app.state != State.REJECTED.value:
            return False
        refusal = session.scalars(select(Decision).where(
            Decision.application_id == app.id, Decision.kind == "reject")
            .order_by(Decision.id.desc()).limit(1)).first()
        if refusal is None:
            return False
        have = session.scalar(select(Document.id).where(
            Document.application_id == app.id, Document.kind == "la_refusal",
            Document.issued_at >= refusal.at))
        if have is not None:
            return False
        doc = record_letter(session, app, "la_refusal", by_id=refusal.by_id,
                            service_name=quanke.service(SERVICE).name, at=refusal.at)
        replace_core_letter(session, app, "decision_reject", doc, actor="system")
        record_audit(session, actor="system", action="la_refusal_letter", object_type="document",
                     object_id=doc.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"number": doc.number, "basis": cite("第四十三条第一款、第四十九条")})
        doc_id = doc.id
    enqueue_render(quanke, doc_id)
    return True


def end_urgent_aid_if_over(quanke, application_id: int) -> bool:
    """Urgent aid (Art. 44) ends when the application is refused, withdrawn or not accepted."""
    with quanke.db.session() as session:
        app = _lock(session, application_id)
        if app is None:
            return False
        urgent = session.scalar(select(UrgentAid).where(UrgentAid.application_id == app.id))
        if urgent is None or urgent.status != "in_force":
            return False
        ended = {State.REJECTED.value: "决定不予法律援助", State.WITHDRAWN.value: "申请已撤回",
                 State.NOT_ACCEPTED.value: "申请不予受理"}.get(app.state)
        if ended is None or is_granted(session, app):
            return False
        urgent.status, urgent.ended_at, urgent.end_reason = "ended", utcnow(), ended
        roster.end_assignments(session, app, reason=f"先行援助终止：{ended}", actor="system")
        record_audit(session, actor="system", action="la_urgent_ended", object_type="la_urgent_aid",
                     object_id=urgent.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"reason": ended, "basis": cite("第四十四条")})
        return True


# -- the sweep --------------------------------------------------------------------------------

def pending_ids(session) -> list[int]:
    """Applications whose legal-aid records are behind their decision (bounded)."""
    mine = Application.service_code == SERVICE
    active = exists().where(Assignment.application_id == Application.id, Assignment.status == "active")
    terminated = exists().where(Termination.application_id == Application.id,
                                Termination.status == "in_force")
    corrected = exists().where(Objection.application_id == Application.id, Objection.against == "refusal",
                               Objection.status == "corrected", Objection.corrected_at.is_not(None))
    refusal_letter = exists().where(Document.application_id == Application.id,
                                    Document.kind == "la_refusal", Document.status == "valid")
    core_approval_letter = exists().where(Document.application_id == Application.id,
                                          Document.kind == "decision_approve", Document.status == "valid")
    urgent = exists().where(UrgentAid.application_id == Application.id, UrgentAid.status == "in_force")
    commitment_material = exists().where(Material.application_id == Application.id,
                                         Material.code == "integrity_commitment",
                                         Material.status.in_(("paper", "scan")))
    commitment = exists().where(Commitment.application_id == Application.id)
    granted = or_(Application.state.in_(GRANTED_STATES),
                  and_(Application.state == State.REJECTED.value, corrected))
    stmt = select(Application.id).where(mine, or_(
        Application.state == State.APPROVED.value,
        and_(granted, not_(active), not_(terminated)),
        and_(Application.state.in_(GRANTED_STATES), core_approval_letter),
        and_(Application.state == State.REJECTED.value, not_(refusal_letter)),
        and_(urgent, granted),
        and_(urgent, Application.state.in_((State.REJECTED.value, State.WITHDRAWN.value,
                                            State.NOT_ACCEPTED.value))),
        and_(commitment_material, not_(commitment)),
    )).order_by(Application.id).limit(SWEEP_LIMIT)
    return list(session.scalars(stmt))


def sweep(quanke) -> int:
    """Scheduled job: follow up every application that needs it; returns how many changed."""
    with quanke.db.session() as session:
        ids = pending_ids(session)
    changed = 0
    for app_id in ids:
        try:
            if follow_up(quanke, application_id=app_id):
                changed += 1
        except Exception:  # noqa: BLE001 - one bad case must not stop the others
            log.exception("legal-aid follow-up failed for application %s", app_id)
    return changed
