"""Recording an inspection's result: one function for every step of a task.

Before anything is written: who records (the department's inspectors or its lead — not
approvers, 审管分离), whether the task's state allows the result, the note and the deadline.
A revocation runs first through the core's ``revoke_document`` (``finding=True``: the inspector
who found it may), each in the core's own audited transaction; then, under a row lock, the
task moves on, the commitment is verified, the letters are recorded and the step is audited.
The letters are rendered after the commit.
"""
from __future__ import annotations

from sqlalchemy import select

from core.api import (
    Application,
    Document,
    InvalidState,
    actor_key,
    add_notification,
    format_date,
    now,
    record_audit,
    revoke_document,
    today,
)
from plugins.business_license.documents.letters import enqueue_render
from plugins.business_license.domain import catalog, law
from plugins.business_license.domain.inspections import consequences
from plugins.business_license.domain.inspections.rules import (
    NEXT_STATUS,
    inspector,
    load,
    validate,
)
from plugins.business_license.models import (
    TASK_KINDS,
    CommitmentCase,
    InspectionTask,
    RegisteredBusiness,
)


def _case(session, task: InspectionTask) -> CommitmentCase | None:
    return session.scalar(select(CommitmentCase).where(CommitmentCase.task_id == task.id))


def _check_period(case: CommitmentCase | None) -> None:
    """"Not corrected" only once the period given has run out (LAW.md: revoke only then)."""
    if case is not None and case.deadline and today() <= case.deadline:
        raise InvalidState(f"整改期限至{format_date(case.deadline)}，期限届满前不能认定逾期未整改"
                           f"（{law.NOT_RECTIFIED.short}）", code="rectification_period_running")


def _revocations(session, task: InspectionTask, outcome: str) -> list[int]:
    """The permit's valid certificates, when this result revokes the permit."""
    if task.kind != "permit_commitment" or outcome not in ("false", "not_corrected"):
        return []
    return list(session.scalars(select(Document.id).where(
        Document.application_id == task.application_id, Document.kind == "certificate",
        Document.status == "valid")))


def record_result(quanke, actor, task_id: int, *, outcome: str, note: str = "",
                  deadline=None) -> InspectionTask:
    """Record a result (see :mod:`.rules` for which results each task state allows)."""
    with quanke.db.session() as session:
        task = load(session, task_id, lock=False)
        inspector(session, actor, task)
        note, deadline = validate(task, outcome, note, deadline)
        if outcome == "not_corrected":
            _check_period(_case(session, task))
        revoke = _revocations(session, task, outcome)
    reason = (f"经现场核查，承诺严重不实：{note}" if outcome == "false"
              else f"逾期未按整改通知整改，不符合告知承诺的条件：{note}")
    for doc_id in revoke:  # each in the core's own transaction, audited there
        revoke_document(quanke, actor, doc_id, reason, finding=True)
    with quanke.db.session() as session:
        task = load(session, task_id, lock=True)
        before = task.status
        validate(task, outcome, note, deadline)  # someone may have recorded it in the meantime
        user = inspector(session, actor, task)
        business = session.get(RegisteredBusiness, task.business_id)
        app = session.get(Application, task.application_id)
        who = actor_key(actor)
        case, letters = _apply(session, app, task, business, user, who, outcome=outcome, note=note,
                               deadline=deadline)
        task.status = NEXT_STATUS[outcome]
        task.result_note, task.inspector_id = note, actor.id
        if task.status != "rectifying":
            task.closed_at = now()
        session.flush()
        record_audit(session, actor=who, action="bl_inspection_recorded", object_type="bl_inspection_task",
                     object_id=task.id, application_id=app.id, subject=business.operator_id_number,
                     data={"kind": task.kind, "outcome": outcome, "note": note, "from": before,
                           "to": task.status, "deadline": deadline.isoformat() if deadline else None,
                           "case": case.id if case else None,
                           "credit_record": case.credit_record_id if case else None,
                           "revoked_documents": revoke, "letters": letters})
    for doc_id in letters:
        enqueue_render(quanke, doc_id)
    return task


def _apply(session, app, task, business, user, who, *, outcome, note, deadline):
    case = _case(session, task)
    if outcome == "broken":
        return consequences.order(session, app, task, business, user, note=note, deadline=deadline)
    if outcome == "corrected":
        return case, consequences.corrected(session, app, task, business, user, who, case=case, note=note)
    if outcome in ("false", "not_corrected"):
        return consequences.consequence(session, app, task, business, user, who, case=case, note=note)
    if outcome == "kept":
        consequences.settle_commitment(session, task, business, who, kept=True, note=note)
    if outcome == "problem":
        add_notification(session, event="bl_inspection_problem", application_id=app.id,
                         recipient_kind="department", recipient=catalog.MARKET_REGULATION[0],
                         channel="internal", subject=f"{TASK_KINDS[task.kind]}：发现问题",
                         body=f"“{business.label}”（{business.credit_code}）{TASK_KINDS[task.kind]}"
                              f"发现问题：{note}。请依法处置。核查人：{user.name}")
    return case, []
