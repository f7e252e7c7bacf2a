"""Decisions taken by rules instead of people, still through the one state machine.

* :func:`decide_by_rule` — a department switches on a rule (e.g. the archive bureau's
  "self-queries with a verified identity are approved automatically"); the application goes
  from ``accepted`` to ``approved``/``rejected`` as the system, audited with the rule's name,
  and still appears in the department's queue as done.
* :func:`withdraw_expired_corrections` — an application whose one-time correction notice was
  not answered in time is deemed withdrawn (视为撤回) where the service's statute says so
  (``LegalClock.deemed_withdrawn``, e.g. Legal Aid Law Art. 43); elsewhere it waits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.approval.plugin_steps import before_commit
from core.deadlines.explain import clock_of
from core.approval.decisions import decision_letter
from core.platform.clock import now as utcnow, today
from core.platform.errors import InvalidInput, InvalidState
from core.platform.models import Application, Decision, State
from core.platform.actors import SYSTEM
from core.statemachine.notices import notify_applicant as _notify_applicant
from core.statemachine.guards import written_reasons as _reasons
from core.statemachine.transitions import transition as _transition


def decide_by_rule(quanke, app_id: int, *, approve: bool, rule: str, reasons: str) -> Application:
    """Approve or reject an accepted application by a named rule (规则自动审批)."""
    if not (rule or "").strip():
        raise InvalidInput("须写明自动审批所依据的规则", code="rule_required")

    def body(session, app, _who):
        if app.state != State.ACCEPTED.value:
            raise InvalidState("只有已受理、未认领的申请可以按规则自动办结", code="invalid_state")
        if app.paused:
            raise InvalidState("计时已中止，不能自动办结", code="clock_paused")
        text = _reasons(reasons, "自动审批的理由")
        app.state = State.APPROVED.value if approve else State.REJECTED.value
        app.decided_at, app.decided_by_id = utcnow(), None
        session.add(Decision(application_id=app.id, kind="approve" if approve else "reject",
                             reasons=f"{text}（依据规则：{rule}）"))
        verdict = "已批准" if approve else f"不予批准：{text}"
        notified = _notify_applicant(session, app, "approved" if approve else "rejected",
                                     "审批结果", f"{verdict}（系统按规则自动办理）")
        action = "approve" if approve else "reject"
        return {"rule": rule, "reasons": text, "_notify": notified,
                **decision_letter(quanke, session, app, action, by_id=None),
                **before_commit(quanke, session, app, action)}

    return _transition(quanke, SYSTEM, app_id, "approve" if approve else "reject", body)


def withdraw_expired_corrections(quanke, *, day: str | dt.date | None = None) -> int:
    """Deem withdrawn every application whose correction deadline passed before ``day``."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or today()
    with quanke.db.session() as session:
        latest = {}
        for decision in session.scalars(
                select(Decision).join(Application, Application.id == Decision.application_id)
                .where(Application.state == State.CORRECTION_REQUESTED.value,
                       Decision.kind == "return").order_by(Decision.id)):
            latest[decision.application_id] = decision.correction_due
        # Only where the statute attaches withdrawal to silence (法律援助法第四十三条); elsewhere
        # the application waits for its corrections and the overdue sweep reminds.
        withdrawing = {app.id for app in session.scalars(
            select(Application).where(Application.id.in_(list(latest))))
            if clock_of(quanke, app).deemed_withdrawn}
    expired = [app_id for app_id, due in latest.items()
               if due and due < day and app_id in withdrawing]
    done = 0
    for app_id in expired:
        def body(session, app, _who, due=latest[app_id]):
            if app.state != State.CORRECTION_REQUESTED.value:
                raise InvalidState("申请已不在待补正状态", code="invalid_state")
            basis = clock_of(quanke, app).withdrawal_basis
            app.state, app.deemed = State.WITHDRAWN.value, "withdrawn"
            notified = _notify_applicant(session, app, "deemed_withdrawn", "视为撤回",
                                         f"未在{due:%Y年%m月%d日}前补正材料，依{basis}视为撤回申请。")
            return {"reason": "逾期未补正，视为撤回", "correction_due": due.isoformat(),
                    "basis": str(basis), "_notify": notified}
        try:
            _transition(quanke, SYSTEM, app_id, "withdraw", body)
            done += 1
        except InvalidState:
            continue  # answered in the meantime
    return done
