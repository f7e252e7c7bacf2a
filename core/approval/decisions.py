"""Decisions (审批决定): re-check, approve, reject, and issue the result document."""
from __future__ import annotations
import logging
from typing import Iterable
from sqlalchemy import select
from sqlalchemy.orm import Session
from core.papers import issuance
from core.platform.clock import now as utcnow
from core.platform.errors import Forbidden, InvalidState
from core.platform.models import (Application, Decision, State)
from core.contract.services import Outcome
from core.approval.plugin_steps import before_commit
from core.approval.powers import require_approver, require_decider
from core.contract.materials import material_statuses
from core.platform.actors import Actor, SystemActor
from core.statemachine.checks import evidence_changes, run_checks, store_evidence, unchanged_since_last
from core.statemachine.guards import written_reasons
from core.statemachine.notices import notify_applicant
from core.statemachine.states import require_state
from core.statemachine.transitions import transition
log = logging.getLogger(__name__)


def recheck(quanke, actor: Actor, app_id: int, *, report: bool = False):
    """Run the checks again at decision time and return the changes since acceptance. Only
    results that differ from a check's latest evidence are stored (and audited by name): a
    re-check that finds nothing new adds no identical block. ``report=True`` returns
    ``{"changes", "changed": [check names], "unchanged": n}``."""
    seen: dict = {}

    def body(session, app, who):
        require_approver(who, app, "重新核查")
        if app.state not in (State.ACCEPTED.value, State.IN_REVIEW.value):
            raise InvalidState("只有审批中的申请可以重新核查", code="invalid_state")
        _decision_checks(quanke, session, app, only_changed=True, seen=seen)
        return {"changed_checks": seen["changed"], "unchanged_checks": seen["unchanged"]}
    app = transition(quanke, actor, app_id, "recheck", body)
    changes = evidence_changes(app)
    return {"changes": changes, "changed": seen["changed"], "unchanged": seen["unchanged"]} if report else changes


def _decision_checks(quanke, session: Session, app: Application, *, only_changed: bool = False,
                     seen: dict | None = None):
    at = utcnow()
    service = quanke.service(app.service_code)
    results = run_checks(quanke, session, service, app.applicant, app.form_data,
                         material_statuses(app), phase="decision", at=at, application=app)
    stored = results
    if only_changed:
        stored, same = unchanged_since_last(app, results)
        if seen is not None:
            seen.update(changed=[name for _c, name, _r in stored], unchanged=len(same))
    store_evidence(session, app, stored, "decision", at)
    session.flush()
    session.refresh(app, ["evidence"])
    return results


def approve(quanke, actor: Actor, app_id: int, *, reasons: str = "") -> Application:
    """Approve (准予): checks run again; a new block stops approval."""
    def body(session, app, who):
        user = require_decider(who, app, "批准")
        require_state(app, "approve")
        if app.paused:
            raise InvalidState("计时已中止，恢复后再作决定", code="clock_paused")
        results = _decision_checks(quanke, session, app)
        blocked = [r for _, _, r in results if r.outcome is Outcome.BLOCK]
        if blocked:
            raise Forbidden("重新核查未通过，不能批准：" + "；".join(x for b in blocked for x in b.reasons),
                            code="checks_blocked")
        app.state, app.decided_at, app.decided_by_id = State.APPROVED.value, utcnow(), user.id
        session.add(Decision(application_id=app.id, kind="approve", reasons=reasons.strip(),
                             by_id=user.id))
        notified = notify_applicant(session, app, "approved", "已批准", "已批准，证照制作中。")
        return {"changes": evidence_changes(app), "_notify": notified,
                **decision_letter(quanke, session, app, "approve", by_id=user.id),
                **before_commit(quanke, session, app, "approve")}
    return transition(quanke, actor, app_id, "approve", body)


def reject(quanke, actor: Actor, app_id: int, *, reasons: str | Iterable[str]) -> Application:
    """Reject (不予批准) with written reasons."""
    def body(session, app, who):
        user = require_decider(who, app, "作出不予批准决定")
        require_state(app, "reject")
        if app.paused:
            raise InvalidState("计时已中止，恢复后再作决定", code="clock_paused")
        text = written_reasons(reasons, "不予批准的理由")
        _decision_checks(quanke, session, app)
        app.state, app.decided_at, app.decided_by_id = State.REJECTED.value, utcnow(), user.id
        session.add(Decision(application_id=app.id, kind="reject", reasons=text, by_id=user.id))
        notified = notify_applicant(session, app, "rejected", "不予批准", f"不予批准：{text}")
        return {"reasons": text, "_notify": notified,
                **decision_letter(quanke, session, app, "reject", by_id=user.id),
                **before_commit(quanke, session, app, "reject")}
    return transition(quanke, actor, app_id, "reject", body)


def approve_and_issue(quanke, actor: Actor, app_id: int, *, reasons: str = "") -> Application | None:
    """Approve and issue at once (批准后立即出证). The approval's observers may already have
    issued — legal aid's follow-up issues its grant letter as soon as aid is granted — and
    then there is nothing left to issue: the approval succeeded, and issuing again would only
    report 申请当前状态为“已出证”. Returns the application after the last step that ran
    (None when the system issued it: read it again)."""
    approve(quanke, actor, app_id, reasons=reasons)
    with quanke.db.session() as session:
        state = session.scalar(select(Application.state).where(Application.id == app_id))
    if state != State.APPROVED.value:
        return None
    return issue(quanke, actor, app_id)


def decision_letter(quanke, session: Session, app: Application, decision: str, *,
                    by_id: int | None) -> dict:
    """The decision letter the service's declaration chooses (``ServiceDef.decision_letters``),
    recorded in the decision's transaction; ``{}`` when its plugin issues its own — legal aid
    is not an administrative licence and gets no 准予行政许可决定书."""
    service = quanke.service(app.service_code)
    kind = issuance.decision_letter_kind(service, decision)
    if kind is None:
        return {}
    doc = issuance.record_document(session, app, kind, by_id=by_id, service=service)
    return {"document": doc.number, "_documents": [doc.id]}


def issue(quanke, actor: Actor, app_id: int) -> Application:
    """Issue (出证): the result document is produced; by the deciding approver or the system."""
    def body(session, app, who):
        user = None
        if not isinstance(who, SystemActor):
            user = require_approver(who, app, "出证")
            if user.id != app.decided_by_id:
                raise Forbidden("只有作出决定的审批人员可以出证", code="not_decider")
        require_state(app, "issue")
        app.state = State.ISSUED.value
        where = "可到任一便民服务中心领取" if app.delivery_method == "pickup" else "将通过邮寄送达"
        notified = notify_applicant(session, app, "issued", "证照已出", f"证照已制作完成，{where}。")
        service = quanke.service(app.service_code)
        if service.certificate is None:
            return {"_notify": notified, **before_commit(quanke, session, app, "issue")}
        doc = issuance.record_document(session, app, "certificate",
                                       by_id=user.id if user else None, service=service)
        return {"document": doc.number, "_notify": notified, "_documents": [doc.id],
                **before_commit(quanke, session, app, "issue")}
    return transition(quanke, actor, app_id, "issue", body)
