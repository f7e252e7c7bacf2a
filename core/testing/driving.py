"""Driving applications through the workflow into any state, and snapshots of an application
for "this action changes nothing".
"""
from __future__ import annotations

from sqlalchemy import func, select, text

from core import acceptance, approval
from core.platform.models import (
    Applicant,
    Application,
    Citizen,
    Decision,
    OutboxMessage,
    State,
)
from core.runtime import Quanke
from core.testing.seeding import World


def _applicant(session, world: World, applicant) -> Applicant:
    """The applicant given (an :class:`Applicant` or its id), else ``world.citizen``'s."""
    if applicant is None:
        return session.get(Citizen, world.citizen.id).applicant
    found = session.get(Applicant, getattr(applicant, "id", applicant))
    if found is None:
        raise ValueError(f"no applicant {applicant!r}")
    return found


def file_at_counter(world: World, service_code: str = "sample.permit", *, form=None,
                    paper=None, by: str = "counter", applicant=None, **options) -> Application:
    """File an application for ``world.citizen`` (or ``applicant``, e.g. one made by
    :func:`core.testing.new_applicant`) at the counter (``world.users[by]``), with consent
    recorded: the service's ``example`` as form data unless ``form`` is given, and every
    required material on paper unless ``paper`` lists the codes. ``options`` go to
    :func:`core.acceptance.file_application` (``delivery_method``, ``courier_address`` …).
    State: submitted."""
    quanke = world.quanke
    service = quanke.service(service_code)
    with quanke.db.session() as session:
        person = _applicant(session, world, applicant)
        applicant_id, name, number = person.id, person.name, person.id_number
    if paper is None:
        paper = [m.code for m in service.materials if m.required and not m.alternative_to]
    return acceptance.file_application(
        quanke, world.users[by], service_code=service_code,
        applicant_id=applicant_id, form_data=form or service.example_for(name, number),
        paper=paper, consent=True, consent_text="申请人当面同意", **options)


PAUSED = "paused"


def drive_to(world: World, state: str, service_code: str = "sample.permit", *,
             applicant=None) -> Application:
    """An application in ``state`` (a :class:`State` value, or ``"accepted+paused"`` /
    ``"in_review+paused"``), reached through the workflow: accepted by ``world.acceptor``,
    claimed and decided by ``world.approver``. For ``world.citizen``, or ``applicant`` (a draft
    is filed by the applicant's own portal account; an enterprise's by ``world.citizen``)."""
    quanke = world.quanke
    base, _, modifier = state.partition("+")
    target = State(base)
    if target is State.DRAFT:
        service = quanke.service(service_code)
        with quanke.db.session() as session:
            person = _applicant(session, world, applicant)
            form = service.example_for(person.name, person.id_number)
            own = session.scalar(select(Citizen).where(Citizen.applicant_id == person.id))
            filer = own if (own is not None and person.kind == "person") else world.citizen
            applicant_id = person.id
        return acceptance.file_application(quanke, filer, service_code=service_code,
                                         applicant_id=applicant_id, form_data=form, submit=False)
    if target in (State.CORRECTION_REQUESTED,):
        app = file_at_counter(world, service_code, paper=[], applicant=applicant)
        return acceptance.return_for_correction(quanke, world.acceptor, app.id)
    app = file_at_counter(world, service_code, applicant=applicant)
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
