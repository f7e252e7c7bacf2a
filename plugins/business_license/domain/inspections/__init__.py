"""Inspection and commitment-verification tasks (批管同步): the inspector records what was found.

A commitment (告知承诺) is verified after issuing, in the order the State Council guidance
sets (LAW.md § 告知承诺制):

* *kept* (履行承诺) closes the task and marks the commitment kept;
* *broken* — the conditions are not met — orders correction within a period (责令限期整改,
  letter with the deadline the inspector sets; the guidance sets none) and the task waits
  for the re-inspection (复查);
* on re-inspection *corrected* closes it with the commitment kept; *not corrected*, only
  once the period has run out, revokes the food permit through the core's ``revoke_document``
  (a premises commitment: the business is listed abnormal instead) and makes a credit record;
* *false* — the commitment itself was untrue — goes to that consequence at once
  (行政许可法第六十九条 for the permit);
* a first inspection is recorded as *normal* or *problem* (the department is told).

Every step leaves a letter (PDF, sealed, verifiable) citing its article
(:mod:`plugins.business_license.documents.commitment_letters`). Who may record: the
department's inspectors (``inspector:<department>``) and its lead, and centre/system
administrators — not approvers (审管分离).

By part: :mod:`.rules` (who, which result, which input), :mod:`.recording` (the step) and
:mod:`.consequences` (what each result does, and its letter).
"""
from __future__ import annotations

from sqlalchemy import select

from core.api import format_date
from plugins.business_license.domain import catalog, law
from plugins.business_license.domain.inspections.recording import record_result  # noqa: F401
from plugins.business_license.domain.inspections.rules import (  # noqa: F401
    DEPARTMENT_NAMES,
    OUTCOMES,
    may_record,
    outcomes_for,
)
from plugins.business_license.models import (
    TASK_KINDS,
    TASK_STATUSES,
    CommitmentCase,
    FoodPermit,
    InspectionTask,
    RegisteredBusiness,
)

LETTERS = (("order_document_id", "责令限期整改通知书"), ("reinspection_document_id", "整改复查意见书"),
           ("decision_document_id", "处理决定"))


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


def case_dict(case: CommitmentCase | None) -> dict | None:
    if case is None:
        return None
    return {"id": case.id, "finding": case.finding, "findings": case.findings, "status": case.status,
            "found_on": case.found_on.isoformat(),
            "deadline": case.deadline.isoformat() if case.deadline else None,
            "deadline_label": format_date(case.deadline) if case.deadline else None,
            "reinspected_on": case.reinspected_on.isoformat() if case.reinspected_on else None,
            "reinspection_note": case.reinspection_note,
            "letters": [{"document_id": getattr(case, column), "label": label,
                         "basis": _letter_basis(case, column)}
                        for column, label in LETTERS if getattr(case, column)]}


def _letter_basis(case: CommitmentCase, column: str) -> str:
    """The article each letter rests on, as the letter itself cites it (commitment_letters)."""
    if column == "order_document_id":
        return law.RECTIFY.short
    if column == "reinspection_document_id":
        return (law.RECTIFY if case.status == "corrected" else law.NOT_RECTIFIED).short
    if case.finding == "false":
        return f"{law.FALSE_COMMITMENT.short}；{law.CREDIT_RECORD.short}"
    return law.NOT_RECTIFIED.short


def task_dict(session, task: InspectionTask) -> dict:
    business = session.get(RegisteredBusiness, task.business_id)
    permit = session.get(FoodPermit, task.permit_id) if task.permit_id else None
    case = session.scalar(select(CommitmentCase).where(CommitmentCase.task_id == task.id))
    return {"id": task.id, "kind": task.kind, "kind_label": TASK_KINDS[task.kind],
            "status": task.status, "status_label": TASK_STATUSES[task.status],
            "business_name": business.label, "credit_code": business.credit_code,
            "address": business.address, "street": task.street,
            "street_name": catalog.street_name(task.street), "team": task.team,
            "permit_no": permit.permit_no if permit else None,
            "department": task.department_code, "due_date": task.due_date.isoformat(),
            "result_note": task.result_note,
            "closed_at": task.closed_at.isoformat() if task.closed_at else None,
            "outcomes": outcomes_for(task), "case": case_dict(case)}
