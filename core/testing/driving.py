"""Driving applications through the workflow into any state, and snapshots of an application
for "this action changes nothing".
"""
from __future__ import annotations

from sqlalchemy import func, select, text

from core import acceptance, approval
from core.platform.models import Application, Citizen, Decision, OutboxMessage, State
from core.runtime import Quanke
from core.testing.seeding import World


def file_at_counter(world: World, service_code: str = "sample.permit", *, form=None,
                    paper=None, by: str = "counter") -> Application:
    """File an application for ``world.citizen`` at the counter (``world.users[by]``), with
    consent recorded: the service's ``example`` as form data unless ``form`` is given, and
    every required material on paper unless ``paper`` lists the codes. State: submitted."""
    quanke = world.quanke
    service = quanke.service(service_code)
    with quanke.db.session() as session:
        applicant = session.get(Citizen, world.citizen.id).applicant
        name, number = applicant.name, applicant.id_number
    if paper is None:
        paper = [m.code for m in service.materials if m.required and not m.alternative_to]
    return acceptance.file_application(
        quanke, world.users[by], service_code=service_code,
        applicant_id=world.citizen.applicant_id, form_data=form or service.example_for(name, number),
        paper=paper, consent=True, consent_text="申请人当面同意")


PAUSED = "paused"


def drive_to(world: World, state: str, service_code: str = "sample.permit") -> Application:
    """An application in ``state`` (a :class:`State` value, or ``"accepted+paused"`` /
    ``"in_review+paused"``), reached through the workflow: accepted by ``world.acceptor``,
    claimed and decided by ``world.approver``."""
    quanke = world.quanke
    base, _, modifier = state.partition("+")
    target = State(base)
    if target is State.DRAFT:
        service = quanke.service(service_code)
        with quanke.db.session() as session:
            applicant = session.get(Citizen, world.citizen.id).applicant
            form = service.example_for(applicant.name, applicant.id_number)
        return acceptance.file_application(quanke, world.citizen, service_code=service_code,
                                         applicant_id=world.citizen.applicant_id,
                                         form_data=form, submit=False)
    if target in (State.CORRECTION_REQUESTED,):
        app = file_at_counter(world, service_code, paper=[])
        return acceptance.return_for_correction(quanke, world.acceptor, app.id)
    app = file_at_counter(world, service_code)
    steps = {
        State.SUBMITTED: [],
        State.NOT_ACCEPTED: [lambda a: acceptance.refuse(quanke, world.acceptor, a.id, reasons="不属于本中心受理范围")],
        State.WITHDRAWN: [lambda a: acceptance.withdraw(quanke, world.citizen, a.id)],
    }
    decided = [
        lambda a: acceptance.accept(quanke, world.acceptor, a.id),
        lambda a: approval.claim(quanke, world.approver, a.id),
    ]
    steps[State.ACCEPTED] = decided[:1]
    steps[State.IN_REVIEW] = decided
    steps[State.APPROVED] = decided + [lambda a: approval.approve(quanke, world.approver, a.id)]
    steps[State.REJECTED] = decided + [lambda a: approval.reject(quanke, world.approver, a.id, reasons="不符合条件")]
    steps[State.ISSUED] = steps[State.APPROVED] + [lambda a: approval.issue(quanke, world.approver, a.id)]
    steps[State.DELIVERED] = steps[State.ISSUED] + [
        lambda a: acceptance.deliver(quanke, world.counter, a.id,
                                   recipient_id_number=a.applicant.id_number)]
    for step in steps[target]:
        app = step(app)
    if modifier == PAUSED:
        actor = world.approver if target is State.IN_REVIEW else world.lead
        app = approval.pause(quanke, actor, app.id, reason="等待现场核查")
    return app


def snapshot(quanke: Quanke, app_id: int) -> dict:
    """Everything an action could change about an application (for "changes nothing")."""
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        return {
            "row": {c.name: getattr(app, c.key) for c in Application.__table__.columns},
            "audit": session.scalar(text("SELECT count(*) FROM audit_events")),
            "outbox": session.scalar(select(func.count(OutboxMessage.id))),
            "decisions": session.scalar(select(func.count(Decision.id))
                                        .where(Decision.application_id == app_id)),
            "materials": len(app.materials), "pauses": len(app.pauses),
            "evidence": len(app.evidence),
        }
