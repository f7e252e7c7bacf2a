"""The front desk's decision (前台受理): accept, one-time correction notice (一次性告知),
refuse (不予受理), and resubmission after a correction.
"""
from __future__ import annotations
import datetime as dt
import logging
from typing import Iterable
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from core.papers import issuance
from core.jobs import outbox
from core.platform.clock import local_date, now as utcnow
from core.deadlines import add_working_days, compute_due_date
from core.deadlines.explain import clock_of, notice_window_end, received_on
from core.platform.errors import Forbidden, InvalidInput, InvalidState
from core.platform.models import (Application, Centre, CentreService, Citizen, Decision, Department, Material, MaterialStatus, Role, RoleGrant, State, User)
from core.contract.services import CheckResult, Outcome
from core.acceptance.powers import require_counter, require_receiving_centre
from core.acceptance.receipts import next_receipt_no
from core.acceptance.first_contact import take_first_contact
from core.acceptance.validation import material_gaps
from core.contract.materials import material_statuses, missing_materials
from core.platform.actors import Actor
from core.statemachine.checks import run_checks, store_evidence
from core.statemachine.guards import require_owner, written_reasons
from core.statemachine.notices import message_to_applicant, message_to_department, notify_applicant
from core.statemachine.states import require_state
from core.statemachine.transitions import load_application, transition, write_columns
log = logging.getLogger(__name__)


def preview_checks(quanke, app_id: int) -> list[tuple[str, str, CheckResult]]:
    """Run the checks the counter worker sees before accepting; writes nothing."""
    with quanke.db.session() as session:
        app = load_application(session, app_id, lock=False)
        service = quanke.service(app.service_code)
        return run_checks(quanke, session, service, app.applicant, app.form_data,
                          material_statuses(app), phase="acceptance", application=app)


def accept(quanke, actor: Actor, app_id: int, *, warn_reason: str = "",
           at: dt.datetime | None = None) -> Application:
    """Accept (受理): materials complete, checks not blocking → receipt number and due date."""
    at = at or utcnow()

    def body(session, app, user):
        centre, department_name, has_receipt = _acceptance_context(session, user, app)
        require_state(app, "accept")
        service = quanke.service(app.service_code)
        statuses = material_statuses(app)
        missing = missing_materials(service, statuses)
        reasons = material_gaps(quanke, session, app)
        missing += [c for c in reasons if c not in missing]
        if missing:
            names = "、".join(service.material(c).name
                             + (f"（{'；'.join(reasons[c])}）" if c in reasons else "") for c in missing)
            raise InvalidInput(f"材料不齐全，不能受理：缺少{names}。请出具一次性补正告知书",
                               code="materials_missing", details={"missing": missing})
        results = run_checks(quanke, session, service, app.applicant, app.form_data, statuses,
                             phase="acceptance", at=at, application=app)
        blocked = [r for _, _, r in results if r.outcome is Outcome.BLOCK]
        if blocked:
            raise Forbidden("核查未通过，不能受理：" + "；".join(r for b in blocked for r in b.reasons),
                            code="checks_blocked")
        warned = [r for _, _, r in results if r.outcome is Outcome.WARN]
        if warned and not warn_reason.strip():
            raise InvalidInput("核查有提示事项，受理须记录理由", code="warn_reason_required",
                               field="warn_reason")
        store_evidence(session, app, results, "acceptance", at)
        day = local_date(at)
        clock = clock_of(quanke, app)
        # A clock that starts on receipt (法律援助法第四十三条) counts from the day the system
        # recorded the application as received, not from today.
        start = received_on(app) if clock.starts == "receipt" else day
        due = compute_due_date(quanke.calendar(session), start, clock.days, counting=clock.counting)
        write_columns(session, app, state=State.ACCEPTED.value, accepted_at=at,
                      accepted_by_id=user.id, centre_id=centre.id,
                      warn_reason=warn_reason.strip() if warned else "",
                      receipt_no=next_receipt_no(session, centre, day),
                      deadline_working_days=clock.days, due_date=due.due_date,
                      clock_rule=app.clock_rule or clock.to_record(),
                      **({"owner_id": user.id} if app.owner_id is None and app.owner_department is None
                         else {}))
        set_committed_value(app, "centre", centre)
        # A due date on a year whose holidays are not published yet says so (暂定), here too.
        provisional = "（暂定：节假日安排公布后可能调整）" if due.provisional else ""
        to_applicant = message_to_applicant(
            app, "accepted", "已受理",
            f"已于{local_date(at):%Y年%m月%d日}受理，受理编号{app.receipt_no}，"
            f"办结期限{app.due_date:%Y年%m月%d日}{provisional}（{clock.basis.short}）。")
        outbox.add_many(session, [m for m in (to_applicant, message_to_department(
            app, "new_work", f"新受理件 {app.receipt_no} 待认领")) if m is not None])
        doc = issuance.record_document(session, app, "receipt", by_id=user.id, service=service, at=at,
                                       department_name=department_name, has_valid=has_receipt)
        return {"receipt_no": app.receipt_no, "due_date": app.due_date.isoformat(),
                "warn_reason": app.warn_reason, "document": doc.number,
                "_notify": to_applicant is not None,
                "_documents": [doc.id]}
    return transition(quanke, actor, app_id, "accept", body, at=at,
                       load_options=(joinedload(Application.materials),), reload_actor=False)


#: What accepting needs besides the application, in one query: the worker as stored now
#: (active? a counter worker?), their centre if it may accept the service, the department's
#: name and whether a valid receipt exists already (both for the receipt).
_ACCEPTANCE_CONTEXT = (
    select(User.active,
           select(RoleGrant.id).where(RoleGrant.user_id == User.id,
                                      RoleGrant.role == Role.COUNTER.value).exists(),
           Centre, Department.name, issuance.valid_exists(bindparam("app_id"), "receipt"))
    .select_from(User)
    .outerjoin(CentreService, and_(CentreService.centre_id == User.centre_id,
                                   CentreService.service_code == bindparam("service_code")))
    .outerjoin(Centre, Centre.id == CentreService.centre_id)
    .outerjoin(Department, Department.code == bindparam("department_code"))
    .where(User.id == bindparam("user_id")))


def _acceptance_context(session: Session, actor: Actor, app: Application):
    """``(centre, department name, valid receipt exists)``, or the same errors, in the same
    order, as :func:`require_counter` on a reloaded actor."""
    row = session.execute(_ACCEPTANCE_CONTEXT, {
        "user_id": actor.id, "app_id": app.id, "service_code": app.service_code,
        "department_code": app.department_code}).first() if isinstance(actor, User) else None
    if row is None or not row[0]:
        raise Forbidden("只有工作人员可以受理", code="forbidden_role")
    active, counter, centre, department_name, has_receipt = row
    if not counter:
        raise Forbidden("只有全科社工可以受理", code="forbidden_role")
    require_receiving_centre(app, centre.id if centre is not None else actor.centre_id, "受理")
    if centre is None:
        raise Forbidden("本中心未获授权受理该事项", code="centre_not_authorised")
    return centre, department_name, has_receipt


def return_for_correction(quanke, actor: Actor, app_id: int, *,
                          defects: dict[str, str] | None = None, note: str = "",
                          at: dt.datetime | None = None) -> Application:
    """One-time correction notice (一次性告知): lists *every* gap, missing and defective."""
    at = at or utcnow()
    defects = {k: (v or "").strip() for k, v in (defects or {}).items()}

    def body(session, app, who):
        require_counter(session, who, app, "出具补正告知")
        require_state(app, "return")
        take_first_contact(app, who)
        service = quanke.service(app.service_code)
        clock = clock_of(quanke, app)
        window_ends = notice_window_end(quanke, session, clock, app)
        if window_ends is not None and local_date(at) > window_ends:
            raise InvalidState(
                f"收到申请材料已超过{clock.notice_within_days}个工作日（告知期限至{window_ends:%Y年%m月%d日}），"
                f"不能再出具补正告知书；依{clock.notice_basis}，本申请视为自收到材料之日起受理",
                code="notice_window_passed",
                details={"window_ends": window_ends.isoformat(), "basis": str(clock.notice_basis)})
        gaps = []
        for code in missing_materials(service, material_statuses(app)):
            gaps.append({"code": code, "name": service.material(code).name,
                         "reason": defects.pop(code, "") or "未提交"})
        for code, reasons in material_gaps(quanke, session, app).items():
            listed = next((g for g in gaps if g["code"] == code), None)
            if listed is None:
                gaps.append({"code": code, "name": service.material(code).name,
                             "reason": defects.pop(code, "") or "；".join(reasons)})
            elif listed["reason"] == "未提交":   # the plugin knows better what to hand in
                listed["reason"] = "；".join(reasons)
        for code, reason in defects.items():
            try:
                spec = service.material(code)
            except KeyError:
                raise InvalidInput(f"该事项没有材料“{code}”", code="unknown_material",
                                   field=code) from None
            if not reason:
                raise InvalidInput(f"请说明“{spec.name}”需要补正的原因", code="reasons_required",
                                   field=code)
            gaps.append({"code": code, "name": spec.name, "reason": reason})
            app.materials.append(Material(code=code, status=MaterialStatus.DEFECTIVE.value,
                                          note=reason))
        if not gaps and not note.strip():
            raise InvalidInput("没有需要补正的内容，请直接受理", code="nothing_to_correct")
        # The period to answer is the one the notice sets (CORRECTION_WORKING_DAYS) unless the
        # statute fixes its own; only where the statute says so does missing it withdraw.
        days = clock.withdrawal_days if clock.withdrawal_days is not None \
            else int(quanke.config["CORRECTION_WORKING_DAYS"])
        due = add_working_days(quanke.calendar(session), local_date(at), days)
        session.add(Decision(application_id=app.id, kind="return", reasons=note.strip(),
                             gaps=gaps, correction_due=due, by_id=who.id, at=at))
        app.state = State.CORRECTION_REQUESTED.value
        items = "；".join(f"{g['name']}（{g['reason']}）" for g in gaps)
        consequence = (f"逾期未补正的，视为撤回申请（{clock.withdrawal_basis}）。"
                       if clock.deemed_withdrawn else "")
        notified = notify_applicant(session, app, "correction_requested", "需补正材料",
                                     f"需一次性补正：{items}。请于{due:%Y年%m月%d日}前补正。{consequence}")
        doc = issuance.record_document(session, app, "correction_notice", by_id=who.id,
                                       service=service, at=at)
        return {"gaps": gaps, "correction_due": due.isoformat(), "document": doc.number,
                "_notify": notified, "_documents": [doc.id]}
    return transition(quanke, actor, app_id, "return", body, at=at)


def refuse(quanke, actor: Actor, app_id: int, *, reasons: str | Iterable[str]) -> Application:
    """Refuse to accept (不予受理): outside scope or not competent, with written reasons."""
    def body(session, app, who):
        require_counter(session, who, app, "作出不予受理")
        require_state(app, "refuse")
        take_first_contact(app, who)
        text = written_reasons(reasons, "不予受理的理由")
        session.add(Decision(application_id=app.id, kind="refuse", reasons=text, by_id=who.id))
        app.state = State.NOT_ACCEPTED.value
        notified = notify_applicant(session, app, "not_accepted", "不予受理", f"不予受理：{text}")
        doc = issuance.record_document(session, app, "refusal_notice", by_id=who.id,
                                       service=quanke.service(app.service_code))
        return {"reasons": text, "document": doc.number, "_notify": notified,
                "_documents": [doc.id]}
    return transition(quanke, actor, app_id, "refuse", body)


def resubmit(quanke, actor: Actor, app_id: int) -> Application:
    """Resubmit after a correction notice (补正后重新提交), by the applicant or at a counter."""
    def body(session, app, who):
        if isinstance(who, Citizen):
            require_owner(who, app, "重新提交")
        else:
            require_counter(session, who, app, "代为重新提交")
        require_state(app, "resubmit")
        app.state, app.submitted_at = State.SUBMITTED.value, utcnow()
        return {}
    return transition(quanke, actor, app_id, "resubmit", body)
