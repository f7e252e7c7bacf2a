"""What an inspection result does to the commitment, the permit or the business, and the
letter each step leaves (in the caller's transaction; audited by the caller).

* not met → a :class:`CommitmentCase` and the 责令限期整改通知书 with its deadline;
* corrected on re-inspection → 整改复查意见书, the commitment kept, nothing revoked;
* not corrected when the period has run out, or a false commitment → the permit revoked
  (撤销食品经营许可决定书) or, for a premises commitment, the business listed abnormal
  (列入经营异常名录通知书), and a credit record (core ``verify_commitment``).
"""
from __future__ import annotations

from core.api import (
    Application,
    Commitment,
    add_notification,
    local_date,
    now,
    verify_commitment,
)
from plugins.business_license.documents.letters import record_letter
from plugins.business_license.domain import catalog
from plugins.business_license.domain.inspections.rules import DEPARTMENT_NAMES
from plugins.business_license.models import (
    TASK_KINDS,
    CommitmentCase,
    FoodPermit,
    InspectionTask,
    RegisteredBusiness,
)

SERVICE_NAME = "告知承诺事后核查"


def _letter(session, app: Application, task: InspectionTask, kind: str, user) -> int:
    doc = record_letter(session, app, kind, department=task.department_code, by_id=user.id,
                        service_name=SERVICE_NAME)
    return doc.id


def settle_commitment(session, task: InspectionTask, business: RegisteredBusiness, who: str, *, kept: bool,
            note: str) -> int | None:
    if task.commitment_id is None:
        return None
    commitment = session.get(Commitment, task.commitment_id)
    if commitment.status == "pending":
        verify_commitment(session, commitment, kept=kept, actor=who,
                          department=DEPARTMENT_NAMES.get(task.department_code, task.department_code),
                          note=note, subject_kind="person", subject_id=business.operator_id_number,
                          subject_name=business.operator_name)
    return commitment.credit_record_id


def order(session, app, task, business, user, *, note: str, deadline) -> tuple[CommitmentCase, list[int]]:
    case = CommitmentCase(task_id=task.id, business_id=business.id, finding="not_met", findings=note,
                          found_on=local_date(now()), found_by_id=user.id, deadline=deadline,
                          status="rectifying")
    session.add(case)
    session.flush()
    case.order_document_id = _letter(session, app, task, "bl_rectification_order", user)
    task.due_date = deadline  # the next step — the re-inspection — is due when the period ends
    return case, [case.order_document_id]


def corrected(session, app, task, business, user, who: str, *, case: CommitmentCase, note: str) -> list[int]:
    case.status, case.reinspected_on, case.reinspected_by_id = "corrected", local_date(now()), user.id
    case.reinspection_note = note
    case.reinspection_document_id = _letter(session, app, task, "bl_reinspection", user)
    settle_commitment(session, task, business, who, kept=True, note=f"限期整改后符合承诺条件：{note or '复查合格'}")
    return [case.reinspection_document_id]


def consequence(session, app, task, business, user, who: str, *, case: CommitmentCase | None,
                note: str) -> tuple[CommitmentCase, list[int]]:
    """Not corrected (``case`` given) or a false commitment (a case is opened here)."""
    docs: list[int] = []
    if case is None:
        case = CommitmentCase(task_id=task.id, business_id=business.id, finding="false", findings=note,
                              found_on=local_date(now()), found_by_id=user.id, status="consequence")
        session.add(case)
        session.flush()
    else:
        case.reinspected_on, case.reinspected_by_id, case.reinspection_note = local_date(now()), user.id, note
        case.reinspection_document_id = _letter(session, app, task, "bl_reinspection", user)
        docs.append(case.reinspection_document_id)
    case.status = "consequence"
    why = ("经复查逾期未整改" if case.finding == "not_met" else "经核查承诺严重不实") + f"：{note}"
    case.credit_record_id = settle_commitment(session, task, business, who, kept=False, note=why)
    if task.kind == "permit_commitment" and task.permit_id:
        permit = session.get(FoodPermit, task.permit_id)
        permit.status, permit.status_reason, permit.status_at = "revoked", why, now()
        case.decision_document_id = _letter(session, app, task, "bl_revocation", user)
        result = "食品经营许可已撤销，已记入信用记录"
    else:
        business.abnormal, business.abnormal_reason = True, f"住所（经营场所）承诺不实：{why}"
        case.decision_document_id = _letter(session, app, task, "bl_abnormal_notice", user)
        result = "已列入经营异常名录，已记入信用记录"
    docs.append(case.decision_document_id)
    add_notification(session, event="bl_inspection_broken", application_id=app.id,
                     recipient_kind="department", recipient=catalog.MARKET_REGULATION[0], channel="internal",
                     subject=f"{TASK_KINDS[task.kind]}：违反承诺",
                     body=f"“{business.label}”（{business.credit_code}）{TASK_KINDS[task.kind]}{why}。"
                          f"{result}。核查人：{user.name}")
    return case, docs
