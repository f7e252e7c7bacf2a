"""The centre's actions on an application: decide (Art. 43), urgent aid (Art. 44), lawyers.

Deciding goes through the core state machine (claim → approve / reject), so the decision,
its evidence (the eligibility finding with the standard used) and its audit event are written
together by the core; the letters and the lawyer follow in :mod:`.followup`.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.api import (
    Application,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    State,
    actor_key,
    approve,
    claim,
    record_audit,
    reject,
    today,
)

from plugins.legal_aid.domain import roster
from plugins.legal_aid.domain.access import require_centre
from plugins.legal_aid.domain.assessment import assess_application
from plugins.legal_aid.domain.eligibility import Eligibility
from plugins.legal_aid.domain.law import URGENT_DAYS, URGENT_REASONS, cite
from plugins.legal_aid.models import UrgentAid
from plugins.legal_aid.domain.status import PENDING_STATES, SERVICE, aid_in_force


def load(session, app_id: int) -> Application:
    app = session.get(Application, app_id)
    if app is None or app.service_code != SERVICE:
        raise NotFound("法律援助申请不存在", code="application_not_found")
    return app


def refusal_reasons(result: Eligibility, officer: str) -> str:
    """The written reasons (Art. 43): the officer's words and every failed rule."""
    found = [r for r in result.reasons if not r.startswith("申请事项属于")] if not result.eligible else []
    lines = [officer.strip()] if officer.strip() else []
    return "\n".join(lines + found)


def decide(quanke, actor, app_id: int, *, grant: bool, reasons: str = "") -> Application:
    """Grant or refuse legal aid (给予 / 不予法律援助, Art. 43) as the centre's reviewer."""
    require_centre(actor, "作出是否给予法律援助的决定")
    if not isinstance(reasons, str) or len(reasons) > 4000:
        raise InvalidInput("理由应为不超过4000字的文字", code="invalid_field", field="reasons")
    with quanke.db.session() as session:
        app = load(session, app_id)
        if app.state not in (State.ACCEPTED.value, State.IN_REVIEW.value):
            raise InvalidState(f"申请当前状态为“{State(app.state).label}”，不能作出决定", code="invalid_state")
        _facts, result = assess_application(quanke, session, app)
        state = app.state
    if grant and not result.eligible:
        raise Forbidden("不符合给予法律援助的条件：" + "；".join(result.reasons), code="not_eligible",
                        details={"reasons": list(result.reasons)})
    if not grant and result.eligible and result.path == "notification":
        raise Forbidden("办案机关通知指派律师的，法律援助机构应当在收到通知之日起三日内指派律师，不作不予法律援助的决定（"
                        + cite("第二十五条、第三十六条") + "）；通知有误的，请与通知机关联系", code="notification_must_be_assigned")
    if grant and result.path == "art24_other" and not reasons.strip():
        raise InvalidInput("法律未规定“其他原因”的审查标准，因其他原因给予法律援助的，须写明认定的理由（"
                           + cite("第二十四条") + "）", code="grant_reasons_required", field="reasons")
    if not grant and result.eligible and not reasons.strip():
        raise InvalidInput("申请符合法律援助条件，如决定不予法律援助，须写明理由（" + cite("第四十三条第一款") + "）",
                           code="reasons_required", field="reasons")
    if state == State.ACCEPTED.value:
        claim(quanke, actor, app_id)
    if grant:
        text = "\n".join(result.reasons + ((reasons.strip(),) if reasons.strip() else ()))
        app = approve(quanke, actor, app_id, reasons=text)
    else:
        app = reject(quanke, actor, app_id, reasons=refusal_reasons(result, reasons))
    return app  # letters and lawyer follow from the application_event hook


def give_urgent_aid(quanke, actor, app_id: int, *, reason: str, deadline_on: dt.date | None = None,
                    note: str = "") -> UrgentAid:
    """先行提供法律援助 (Art. 44): recorded, audited, a lawyer assigned at once."""
    user = require_centre(actor, "决定先行提供法律援助")
    if reason not in URGENT_REASONS:
        raise InvalidInput("紧急情形不在" + cite("第四十四条") + "规定的范围内", code="invalid_urgent_reason",
                           field="reason")
    note = (note or "").strip() if isinstance(note, str) else ""
    if len(note) > 2000:
        raise InvalidInput("说明过长（最多2000字）", code="invalid_field", field="note")
    day = today()
    if reason == "limitation":
        if not isinstance(deadline_on, dt.date):
            raise InvalidInput("请填写时效或期限届满日", code="deadline_required", field="deadline_on")
        left = (deadline_on - day).days
        if left < 0:
            raise InvalidInput("时效或期限已经届满，不属于先行提供法律援助的情形", code="deadline_passed",
                               field="deadline_on")
        if left >= URGENT_DAYS:
            raise InvalidInput(f"距时效或期限届满尚有{left}日，不足{URGENT_DAYS}日的才可以先行提供法律援助"
                               f"（{cite('第四十四条第一款第（一）项')}）", code="not_urgent", field="deadline_on")
    elif not note:
        raise InvalidInput("请说明需要立即采取的措施或所依据的规定", code="note_required", field="note")
    with quanke.db.session() as session:
        app = load(session, app_id)
        if app.state not in PENDING_STATES:
            raise InvalidState("只有尚未作出决定的申请可以先行提供法律援助（" + cite("第四十四条") + "）",
                               code="invalid_state")
        if session.scalar(select(UrgentAid.id).where(UrgentAid.application_id == app.id)) is not None:
            raise Conflict("已决定先行提供法律援助", code="urgent_aid_exists")
        urgent = UrgentAid(application_id=app.id, reason=reason, deadline_on=deadline_on if reason == "limitation" else None,
                           note=note, decided_by_id=user.id)
        session.add(urgent)
        session.flush()
        actor_name = actor_key(user)
        assignment = roster.assign(session, app, kind="urgent", actor=actor_name, due_on=day,
                                   reason="先行提供法律援助（" + cite("第四十四条") + "）")
        record_audit(session, actor=actor_name, action="la_urgent_aid", object_type="la_urgent_aid",
                     object_id=urgent.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"reason": reason, "deadline_on": deadline_on.isoformat() if urgent.deadline_on else None,
                           "note": note, "lawyer": assignment.lawyer_id, "before_decision": True,
                           "basis": cite("第四十四条")})
        return urgent


def reassign(quanke, actor, app_id: int, *, reason: str, lawyer_id: int | None = None):
    """改派 to another lawyer (conflicts and caseload checked again)."""
    user = require_centre(actor, "改派法律援助人员")
    with quanke.db.session() as session:
        app = load(session, app_id)
        if aid_in_force(session, app) is None:
            raise InvalidState("该案件没有正在提供的法律援助，不能改派", code="aid_not_in_force")
        return roster.reassign(session, app, actor=actor_key(user), reason=reason,
                               lawyer_id=lawyer_id)


def assign_now(quanke, actor, app_id: int, *, lawyer_id: int | None = None):
    """Assign a lawyer by hand to a granted case still waiting for one (e.g. the roster was
    empty when aid was granted)."""
    user = require_centre(actor, "指派法律援助人员")
    from plugins.legal_aid.domain.deadlines import due_on
    from plugins.legal_aid.domain.followup import assignment_start, counting
    from plugins.legal_aid.domain.law import ASSIGNMENT_DAYS
    with quanke.db.session() as session:
        app = load(session, app_id)
        if aid_in_force(session, app) != "granted":
            raise InvalidState("只有已给予法律援助的案件可以指派", code="aid_not_in_force")
        if roster.active_assignment(session, app.id) is not None:
            raise Conflict("该案件已有承办律师，如需更换请改派", code="already_assigned")
        start, why = assignment_start(session, app)
        due = due_on(quanke.calendar(session), start, ASSIGNMENT_DAYS, counting(quanke)) if start else None
        return roster.assign(session, app, kind="grant", actor=actor_key(user), due_on=due, reason=why,
                             lawyer_id=lawyer_id)
