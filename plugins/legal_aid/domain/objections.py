"""Objections (异议, Art. 49) to a refusal or a termination, decided by the justice bureau.

1. :func:`lodge` — the applicant (or a counter/centre worker for them) objects to the refusal
   or termination in force; a grant cannot be objected to. The bureau's 5-day limit runs from
   receipt.
2. :func:`decide` — the bureau upholds (维持; the letter tells of administrative review and
   litigation) or orders the centre to correct (责令改正). Nobody decides an objection to a
   decision they made themselves.
3. :func:`carry_out` — the centre complies with an order to correct: a refused applicant is
   granted aid (给予法律援助决定书, lawyer within 3 days), a terminated one has aid restored.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.api import (
    Application,
    Conflict,
    Document,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    State,
    actor_key,
    local_date,
    record_audit,
    today,
)
from core.api import now as utcnow

from plugins.legal_aid.domain.access import may_lodge_objection, require_bureau, require_centre
from plugins.legal_aid.domain.deadlines import due_on
from plugins.legal_aid.domain.decisions import load
from plugins.legal_aid.domain.followup import counting, ensure_assignment
from plugins.legal_aid.domain.law import OBJECTION_DAYS, cite
from plugins.legal_aid.documents.letters import enqueue_render, record_letter, replace
from plugins.legal_aid.models import Objection, Termination
from plugins.legal_aid.domain.status import GRANTED_STATES, SERVICE, correction_granted, terminations_in_force


def _text(value, what: str, code: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"请填写{what}", code=code, field=code.replace("_required", ""))
    if len(text) > 4000:
        raise InvalidInput(f"{what}过长（最多4000字）", code="invalid_field")
    return text


def _target(session, app: Application) -> tuple[str, Termination | None, dt.datetime | None]:
    """What the objection is against: the termination in force, or the refusal."""
    terms = terminations_in_force(session, app.id)
    if terms:
        return "termination", terms[-1], terms[-1].decided_at
    if app.state == State.REJECTED.value and correction_granted(session, app.id) is None:
        return "refusal", None, app.decided_at
    if app.state in GRANTED_STATES or correction_granted(session, app.id) is not None:
        raise InvalidState("对给予法律援助的决定不能提出异议：" + cite("第四十九条")
                           + "只规定对不予法律援助、终止法律援助的决定提出异议", code="objection_not_allowed")
    raise InvalidState("尚未作出不予法律援助或者终止法律援助的决定，不能提出异议（" + cite("第四十九条") + "）",
                       code="nothing_to_object")


def lodge(quanke, actor, app_id: int, *, grounds: str, received_on: dt.date) -> Objection:
    grounds = _text(grounds, "异议理由", "grounds_required")
    if not isinstance(received_on, dt.date):
        raise InvalidInput("请填写收到异议的日期", code="invalid_date", field="received_on")
    if received_on > today():
        raise InvalidInput("收到异议的日期不能晚于今天", code="date_in_future", field="received_on")
    with quanke.db.session() as session:
        app = load(session, app_id)
        if not may_lodge_objection(actor, app):
            raise Forbidden("只有申请人本人或窗口、法律援助机构工作人员可以登记异议", code="forbidden_role")
        against, term, decided_at = _target(session, app)
        if decided_at is not None and received_on < local_date(decided_at):
            raise InvalidInput("收到异议的日期不能早于被异议的决定作出之日", code="invalid_date", field="received_on")
        earlier = session.scalars(select(Objection).where(
            Objection.application_id == app.id, Objection.against == against,
            Objection.termination_id == (term.id if term else None))).first()
        if earlier is not None:
            if earlier.status == "pending":
                raise Conflict("已对该决定提出异议，司法行政部门正在审查", code="objection_pending")
            raise Conflict("司法行政部门已对该决定的异议作出决定；如不服维持决定，可以依法申请行政复议或者"
                           "提起行政诉讼（" + cite("第四十九条第二款") + "）", code="objection_decided")
        due = due_on(quanke.calendar(session), received_on, OBJECTION_DAYS, counting(quanke))
        actor_name = actor_key(actor)
        obj = Objection(application_id=app.id, against=against, termination_id=term.id if term else None,
                        received_on=received_on, due_on=due, grounds=grounds, filed_by=actor_name)
        session.add(obj)
        session.flush()
        record_audit(session, actor=actor_name, action="la_objection_lodged", object_type="la_objection",
                     object_id=obj.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"against": against, "termination": obj.termination_id,
                           "received_on": received_on.isoformat(), "due_on": due.isoformat(),
                           "basis": cite("第四十九条第一款")})
        return obj


def _get(session, objection_id: int) -> Objection:
    obj = session.get(Objection, objection_id)
    if obj is None:
        raise NotFound("异议不存在", code="objection_not_found")
    return obj


def decide(quanke, actor, objection_id: int, *, uphold: bool, reasons: str) -> Objection:
    user = require_bureau(actor, "对异议作出决定")
    reasons = _text(reasons, "审查决定的理由", "reasons_required")
    actor_name = actor_key(user)
    with quanke.db.session() as session:
        obj = _get(session, objection_id)
        if obj.status != "pending":
            raise InvalidState("该异议已作出决定", code="objection_decided")
        app = session.get(Application, obj.application_id)
        original = (session.get(Termination, obj.termination_id).decided_by_id
                    if obj.termination_id else app.decided_by_id)
        if original == user.id:
            raise Forbidden("作出原决定的人员不得审查对该决定的异议", code="segregation_of_duties")
        obj.status = "upheld" if uphold else "corrected"
        obj.decision_reasons, obj.decided_at, obj.decided_by_id = reasons, utcnow(), user.id
        doc = record_letter(session, app, "la_objection", by_id=user.id,
                            service_name=quanke.service(SERVICE).name, at=obj.decided_at)
        obj.document_id = doc.id
        on_time = local_date(obj.decided_at) <= obj.due_on
        record_audit(session, actor=actor_name, action="la_objection_decided", object_type="la_objection",
                     object_id=obj.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"outcome": obj.status, "reasons": reasons, "on_time": on_time,
                           "due_on": obj.due_on.isoformat(), "document": doc.number,
                           "basis": cite("第四十九条")})
        doc_id = doc.id
    enqueue_render(quanke, doc_id)
    return obj


def carry_out(quanke, actor, objection_id: int, *, note: str = "") -> Objection:
    """The centre complies with the bureau's order to correct (责令改正)."""
    user = require_centre(actor, "执行改正决定")
    note = note.strip() if isinstance(note, str) else ""
    actor_name = actor_key(user)
    doc_id = None
    with quanke.db.session() as session:
        obj = _get(session, objection_id)
        if obj.status != "corrected":
            raise InvalidState("司法行政部门未责令改正，无需执行", code="no_correction_ordered")
        if obj.corrected_at is not None:
            raise InvalidState("已执行改正", code="already_corrected")
        app = session.get(Application, obj.application_id)
        obj.corrected_at, obj.corrected_by_id = utcnow(), user.id
        if obj.against == "termination":
            term = session.get(Termination, obj.termination_id)
            term.status, term.revoked_at = "revoked", obj.corrected_at
            letter = session.get(Document, term.document_id) if term.document_id else None
            if letter is not None and letter.status == "valid":
                letter.status, letter.revoked_at = "revoked", obj.corrected_at
                letter.revoke_reason = "司法行政部门责令改正，终止决定已撤销（" + cite("第四十九条") + "）"
        else:
            doc = record_letter(session, app, "la_grant", by_id=user.id,
                                service_name=quanke.service(SERVICE).name, at=obj.corrected_at)
            for old in session.scalars(select(Document).where(
                    Document.application_id == app.id, Document.kind == "la_refusal",
                    Document.status == "valid")):
                replace(old, doc)
            doc_id = doc.id
        record_audit(session, actor=actor_name, action="la_correction_carried_out", object_type="la_objection",
                     object_id=obj.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"against": obj.against, "note": note, "grant_letter": doc_id,
                           "basis": cite("第四十九条第一款")})
    if doc_id:
        enqueue_render(quanke, doc_id)
    # Aid is in force again: a lawyer within 3 days of the corrected decision (Art. 43).
    ensure_assignment(quanke, obj.application_id, kind="correction", actor=actor_name)
    return obj
