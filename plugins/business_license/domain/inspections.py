"""Inspection and commitment-verification tasks: the inspector records what was found.

* *kept* (履行承诺) closes the task and marks the commitment kept;
* *broken* (违反承诺) for a food permit revokes the permit (through
  :func:`core.papers.issuance.revoke`, so its verification page says revoked), creates a credit
  record for the operator (:func:`core.credit.verify_commitment`) and notifies the
  market-regulation department (outbox); for a premises commitment the business is listed
  as abnormal (经营异常) instead, with the same credit record and notice;
* a first inspection is recorded as *normal* or *problem* (the department is told).

Who may record: the inspectors (执法检查人员, role ``inspector:<department>``) and the lead of
the task's department, and centre/system administrators. Approvers do not: who approved
does not verify (审管分离). A *broken* finding on a permit revokes it through the core's
:func:`~core.papers.issuance.revoke` as a revocation on a finding, which the core allows to that
department's inspectors as well as to its lead.
"""
from __future__ import annotations

from sqlalchemy import select

from core.api import (
    Application,
    Commitment,
    Document,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    Role,
    User,
    actor_key,
    add_notification,
    now,
    record_audit,
    revoke_document,
    verify_commitment,
)

from plugins.business_license.domain import catalog
from plugins.business_license.models import TASK_KINDS, FoodPermit, InspectionTask, RegisteredBusiness

OUTCOMES = {
    "routine": {"normal": "检查正常", "problem": "发现问题"},
    "premises_commitment": {"kept": "履行承诺", "broken": "违反承诺"},
    "permit_commitment": {"kept": "履行承诺", "broken": "违反承诺"},
}
DEPARTMENT_NAMES = dict([catalog.MARKET_REGULATION, catalog.FOOD_SAFETY])


def _inspector(session, actor, task: InspectionTask) -> User:
    user = session.get(User, actor.id) if isinstance(actor, User) else None
    if user is None or not user.active:
        raise Forbidden("只有工作人员可以登记核查结果", code="forbidden_role")
    if not may_record(user, task.department_code):
        raise Forbidden(f"只有{DEPARTMENT_NAMES.get(task.department_code, task.department_code)}"
                        "的执法检查人员或部门负责人可以登记核查结果", code="forbidden_role")
    return user


def may_record(user: User, department: str) -> bool:
    """Inspectors and the lead of ``department``, centre and system administrators."""
    return (user.has_role(Role.INSPECTOR, department) or user.has_role(Role.DEPT_LEAD, department)
            or user.has_role(Role.SYS_ADMIN) or user.has_role(Role.CENTRE_ADMIN))


def _validate(task: InspectionTask, outcome: str, note: str) -> str:
    allowed = OUTCOMES[task.kind]
    if outcome not in allowed:
        raise InvalidInput(f"{TASK_KINDS[task.kind]}的结果只能是：{'、'.join(allowed.values())}",
                           code="invalid_outcome", field="outcome")
    note = (note or "").strip()
    if outcome in ("broken", "problem") and len(note) < 5:
        raise InvalidInput("请写明核查发现的具体情况（至少5个字）", code="note_required", field="note")
    if len(note) > 2000:
        raise InvalidInput("核查情况最多2000字", code="note_too_long", field="note")
    return note


def _load(session, task_id: int, *, lock: bool) -> InspectionTask:
    stmt = select(InspectionTask).where(InspectionTask.id == task_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    task = session.scalars(stmt).first()
    if task is None:
        raise NotFound("核查任务不存在", code="task_not_found")
    return task


def record_result(quanke, actor, task_id: int, *, outcome: str, note: str = "") -> InspectionTask:
    """Record an inspection's result; see the module docstring for what each result does."""
    with quanke.db.session() as session:
        task = _load(session, task_id, lock=False)
        user = _inspector(session, actor, task)
        if task.status != "open":
            raise InvalidState("该任务已办结，不能重复登记", code="task_closed")
        note = _validate(task, outcome, note)
        revoke_docs: list[int] = []
        if task.kind == "permit_commitment" and outcome == "broken":
            revoke_docs = list(session.scalars(select(Document.id).where(
                Document.application_id == task.application_id, Document.kind == "certificate",
                Document.status == "valid")))
    reason = f"经现场核查，不符合告知承诺的条件：{note}"
    for doc_id in revoke_docs:  # each in the core's own transaction, audited there
        revoke_document(quanke, actor, doc_id, reason, finding=True)
    with quanke.db.session() as session:
        task = _load(session, task_id, lock=True)
        if task.status != "open":  # someone recorded it in the meantime
            raise InvalidState("该任务已办结，不能重复登记", code="task_closed")
        business = session.get(RegisteredBusiness, task.business_id)
        app = session.get(Application, task.application_id)
        who = actor_key(actor)
        record_id = None
        if task.commitment_id is not None:
            commitment = session.get(Commitment, task.commitment_id)
            if commitment.status == "pending":
                verify_commitment(session, commitment, kept=outcome == "kept", actor=who,
                                  department=DEPARTMENT_NAMES.get(task.department_code, task.department_code),
                                  note=note, subject_kind="person",
                                  subject_id=business.operator_id_number,
                                  subject_name=business.operator_name)
            record_id = commitment.credit_record_id
        if outcome == "broken" and task.kind == "permit_commitment" and task.permit_id:
            permit = session.get(FoodPermit, task.permit_id)
            permit.status, permit.status_reason, permit.status_at = "revoked", reason, now()
        if outcome == "broken" and task.kind == "premises_commitment":
            business.abnormal = True
            business.abnormal_reason = f"住所（经营场所）承诺不实：{note}"
        task.status = {"normal": "done", "problem": "done"}.get(outcome, outcome)
        task.result_note, task.inspector_id, task.closed_at = note, actor.id, now()
        if outcome in ("broken", "problem"):
            what = {"broken": "违反承诺", "problem": "发现问题"}[outcome]
            consequence = {"permit_commitment": "食品经营许可已撤销，已记入信用记录",
                           "premises_commitment": "已列入经营异常名录，已记入信用记录",
                           "routine": "请依法处置"}[task.kind]
            add_notification(session, event="bl_inspection_" + outcome, application_id=app.id,
                       recipient_kind="department", recipient=catalog.MARKET_REGULATION[0],
                       channel="internal", subject=f"{TASK_KINDS[task.kind]}：{what}",
                       body=f"“{business.label}”（{business.credit_code}）{TASK_KINDS[task.kind]}"
                            f"{what}：{note}。{consequence}。核查人：{user_name(session, actor)}")
        session.flush()
        record_audit(session, actor=who, action="bl_inspection_recorded", object_type="bl_inspection_task",
                     object_id=task.id, application_id=app.id, subject=business.operator_id_number,
                     data={"kind": task.kind, "outcome": outcome, "note": note,
                           "credit_record": record_id, "revoked_documents": revoke_docs})
        return task


def user_name(session, actor) -> str:
    user = session.get(User, actor.id) if isinstance(actor, User) else None
    return user.name if user else "—"


def tasks(session, *, status: str | None = "open", street: str | None = None,
          department: str | None = None, limit: int = 200) -> list[InspectionTask]:
    stmt = select(InspectionTask)
    if status:
        stmt = stmt.where(InspectionTask.status == status)
    if street:
        stmt = stmt.where(InspectionTask.street == street)
    if department:
        stmt = stmt.where(InspectionTask.department_code == department)
    return list(session.scalars(stmt.order_by(InspectionTask.due_date, InspectionTask.id).limit(limit)))


def task_dict(session, task: InspectionTask) -> dict:
    business = session.get(RegisteredBusiness, task.business_id)
    permit = session.get(FoodPermit, task.permit_id) if task.permit_id else None
    return {"id": task.id, "kind": task.kind, "kind_label": TASK_KINDS[task.kind],
            "status": task.status, "business_name": business.public()["display_name"],
            "credit_code": business.credit_code,
            "address": business.address, "street": task.street,
            "street_name": catalog.street_name(task.street), "team": task.team,
            "permit_no": permit.permit_no if permit else None,
            "department": task.department_code, "due_date": task.due_date.isoformat(),
            "result_note": task.result_note,
            "closed_at": task.closed_at.isoformat() if task.closed_at else None,
            "outcomes": OUTCOMES[task.kind]}
