"""The one state machine every service's applications go through (DESIGN §4).

Each action is one function and one database transaction: it checks the actor's role and
the application's state, changes the application, writes an audit event and any
notification (outbox) in that same transaction, and — after commit — tells plugins through
the ``application_event`` hook. Views never change state themselves; they call these.

Acceptance and approval are separate powers (受理权与审批权分离): only counter roles accept,
return or refuse; only approvers of the service's department claim and decide; and whoever
accepted an application may never decide it, even when they hold both roles.
"""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import logging
import secrets
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import MultiDict

from . import audit, issuance, outbox, validation
from .clock import local_date, now as utcnow
from .deadlines import DueDateExplanation, Pause, add_working_days, compute_due_date
from .errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from .events import ApplicationEvent
from .jobs import SEAL_CALL, Call
from .materials import CheckedUpload, Upload, check_upload, store
from .models import (Application, Applicant, Centre, CentreService, CheckEvidence, Citizen, ClockPause,
                     Decision, Department, Delivery, Material, MaterialStatus, ReceiptSequence, Role,
                     RoleGrant, State, User)
from .services import CheckContext, CheckResult, Outcome, ServiceDef

log = logging.getLogger(__name__)


class SystemActor:
    """The system itself (scheduled jobs)."""

    key = "system"


SYSTEM = SystemActor()
Actor = User | Citizen | SystemActor

#: State each action starts from (the role rules live in the action functions).
ACTION_FROM_STATES: dict[str, frozenset[State]] = {
    "submit": frozenset({State.DRAFT}),
    "accept": frozenset({State.SUBMITTED}),
    "return": frozenset({State.SUBMITTED}),
    "refuse": frozenset({State.SUBMITTED}),
    "resubmit": frozenset({State.CORRECTION_REQUESTED}),
    "claim": frozenset({State.ACCEPTED}),
    "release": frozenset({State.IN_REVIEW}),
    "assign": frozenset({State.ACCEPTED, State.IN_REVIEW}),
    "approve": frozenset({State.IN_REVIEW}),
    "reject": frozenset({State.IN_REVIEW}),
    "issue": frozenset({State.APPROVED}),
    "deliver": frozenset({State.ISSUED}),
    "withdraw": frozenset({State.DRAFT, State.SUBMITTED, State.CORRECTION_REQUESTED,
                           State.ACCEPTED, State.IN_REVIEW}),
    "pause": frozenset({State.ACCEPTED, State.IN_REVIEW}),
    "resume": frozenset({State.ACCEPTED, State.IN_REVIEW}),
    "extend": frozenset({State.ACCEPTED, State.IN_REVIEW}),
}
ACTION_LABELS = {
    "file": "登记申请", "submit": "提交", "accept": "受理", "return": "一次性告知补正",
    "refuse": "不予受理", "resubmit": "补正后重新提交", "claim": "认领", "release": "退回待认领",
    "assign": "分派", "approve": "批准", "reject": "不予批准", "issue": "出证", "deliver": "送达",
    "withdraw": "撤回", "pause": "中止计时", "resume": "恢复计时", "extend": "延长期限",
    "mark_overdue": "标记超期", "recheck": "重新核查", "attach_material": "补充材料",
    "identity_step": "身份核验",
}


def actor_key(actor: Actor) -> str:
    if isinstance(actor, User):
        return f"user:{actor.id}"
    if isinstance(actor, Citizen):
        return f"citizen:{actor.id}"
    return "system"


# -- small rules ----------------------------------------------------------------------------

def _user(actor: Actor, what: str) -> User:
    if not isinstance(actor, User) or not actor.active:
        raise Forbidden(f"只有工作人员可以{what}", code="forbidden_role")
    return actor


def _require_counter(session: Session, actor: Actor, app: Application, what: str,
                     *, authorised: bool = True) -> User:
    user = _user(actor, what)
    if not user.has_role(Role.COUNTER):
        raise Forbidden(f"只有全科社工可以{what}", code="forbidden_role")
    if authorised and authorised_centre(session, user.centre_id, app.service_code) is None:
        raise Forbidden("本中心未获授权受理该事项", code="centre_not_authorised")
    return user


def authorised_centre(session: Session, centre_id: int | None, service_code: str) -> Centre | None:
    """The centre, if it may accept the service (one query; the centre stays in the session)."""
    if centre_id is None:
        return None
    return session.scalar(select(Centre).join(CentreService, CentreService.centre_id == Centre.id)
                          .where(Centre.id == centre_id, CentreService.service_code == service_code))


def _require_approver(actor: Actor, app: Application, what: str, *, lead: bool = False) -> User:
    user = _user(actor, what)
    role = Role.DEPT_LEAD if lead else Role.APPROVER
    if not user.has_role(role, app.department_code):
        who = "部门负责人" if lead else "审批人员"
        raise Forbidden(f"只有该事项审批部门的{who}可以{what}", code="forbidden_role")
    if app.accepted_by_id == user.id:
        raise Forbidden("受理人不得审批自己受理的申请（受审分离）", code="segregation_of_duties")
    return user


def _require_claimant_or_lead(actor: Actor, app: Application, what: str) -> User:
    user = _user(actor, what)
    if app.claimed_by_id == user.id and user.has_role(Role.APPROVER, app.department_code):
        return _require_approver(actor, app, what)
    if user.has_role(Role.DEPT_LEAD, app.department_code):
        return _require_approver(actor, app, what, lead=True)
    if app.claimed_by_id is None and user.has_role(Role.APPROVER, app.department_code):
        return _require_approver(actor, app, what)
    raise Forbidden(f"只有认领人或部门负责人可以{what}", code="forbidden_role")


def _require_owner(actor: Actor, app: Application, what: str) -> Citizen:
    if not isinstance(actor, Citizen) or app.citizen_id != actor.id:
        raise Forbidden(f"只有申请人本人可以{what}", code="forbidden_role")
    return actor


def _require_state(app: Application, action: str) -> None:
    allowed = ACTION_FROM_STATES[action]
    if State(app.state) not in allowed:
        raise InvalidState(
            f"申请当前状态为“{State(app.state).label}”，不能{ACTION_LABELS[action]}",
            code="invalid_state", details={"state": app.state, "action": action})


def _reasons(text: str | Iterable[str], what: str) -> str:
    value = text if isinstance(text, str) else "\n".join(t for t in text if t and t.strip())
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{what}", code="reasons_required", field="reasons")
    if len(value) > 4000:
        raise InvalidInput(f"{what}过长（最多4000字）", code="reasons_too_long", field="reasons")
    return value


# -- the transaction wrapper ----------------------------------------------------------------

@dataclass
class _Pending:
    action: str
    app: Application
    from_state: str | None
    actor: str
    data: dict
    seal: bool = False  # the audit chain is to be sealed after the commit


def _load(session: Session, app_id: int, *, lock: bool, options=()) -> Application:
    stmt = select(Application).where(Application.id == app_id).options(*options)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Application)
    found = session.scalars(stmt).unique().all()  # all rows: eager-joined collections
    app = found[0] if found else None
    if app is None:
        raise NotFound("申请不存在", code="application_not_found")
    return app


def _reload_actor(session: Session, actor: Actor) -> Actor:
    if isinstance(actor, User):
        # grants in the same query (one round trip instead of two: every rule reads them)
        fresh = session.get(User, actor.id, options=[joinedload(User.grants)])
        if fresh is None:
            raise Forbidden("用户不存在", code="forbidden_role")
        return fresh
    if isinstance(actor, Citizen):
        fresh = session.get(Citizen, actor.id)
        if fresh is None:
            raise Forbidden("账户不存在", code="forbidden_role")
        return fresh
    return actor


def _transition(quanke, actor: Actor, app_id: int, action: str,
                body: Callable[[Session, Application, Actor], dict | None],
                *, at: dt.datetime | None = None, load_options=(),
                reload_actor: bool = True) -> Application:
    """Run ``body`` in one transaction and audit it. The actor is read again from the
    database first (roles may have changed since login) unless ``reload_actor`` is False:
    then ``body`` reads what it needs of the actor itself."""
    with quanke.db.session() as session:
        app = _load(session, app_id, lock=True, options=load_options)
        who = _reload_actor(session, actor) if reload_actor else actor
        from_state = app.state
        data = body(session, app, who) or {}
        pending = _finish(session, app, action, from_state, actor_key(who), data, at=at)
        pending.seal = quanke.db.take_seal_request(session)
    _after_commit(quanke, pending)
    return app


def _finish(session: Session, app: Application, action: str, from_state: str | None,
            actor: str, data: dict, *, at: dt.datetime | None = None) -> _Pending:
    session.flush()
    audit.record(session, actor=actor, action=action, object_type="application",
                 object_id=app.id, application_id=app.id, subject=app.applicant.id_number,
                 data={"from": from_state, "to": app.state,
                       **{k: v for k, v in data.items() if not k.startswith("_")}}, at=at)
    return _Pending(action, app, from_state, actor, data)


def _write(session: Session, app: Application, **values) -> None:
    """Set columns of ``app`` with one UPDATE now, instead of leaving them for the flush.

    The object shows the new values as committed ones, so the flush finds nothing to do
    (a unit-of-work flush of one object costs several plain statements: accept is the hot
    path). Only for plain columns.
    """
    session.execute(_update_statement(tuple(sorted(values))), {"app_id": app.id, **values})
    for key, value in values.items():
        set_committed_value(app, key, value)


@functools.lru_cache(maxsize=64)
def _update_statement(keys: tuple[str, ...]):
    # built once per set of columns: building it costs more than running it
    table = Application.__table__
    return (update(table).where(table.c.id == bindparam("app_id"))
            .values({key: bindparam(key) for key in keys}))


def _after_commit(quanke, pending: _Pending) -> None:
    app = pending.app
    event = ApplicationEvent(action=pending.action, application_id=app.id,
                             application_number=app.number, service_code=app.service_code,
                             department_code=app.department_code, from_state=pending.from_state,
                             to_state=app.state, actor=pending.actor, at=utcnow(),
                             data=pending.data)
    try:
        quanke.hook.application_event(event=event, quanke=quanke)
    except Exception:  # noqa: BLE001 - observers never undo a committed change
        log.exception("application_event hook failed for %s", app.number)
    calls = []
    if pending.seal:  # a worker seals: the request goes with the other jobs, one round trip
        if quanke.jobs.inline:
            quanke.db.request_seal()
        else:
            calls.append(SEAL_CALL)
    if pending.data.get("_notify"):
        calls.append(Call("core.outbox.dispatch_pending", job_id="outbox-dispatch"))
    if not (quanke.jobs.inline and not quanke.config.get("RENDER_DOCUMENTS_INLINE", True)):
        # (inline without rendering: rendered on first download instead; tests use this)
        calls += [Call("core.issuance.render_document", {"document_id": document_id},
                       must_not_lose=True, job_id=f"render-document-{document_id}", new=True)
                  for document_id in pending.data.get("_documents", ())]
    if calls:
        try:  # one Redis round trip for all of them (see JobRunner.enqueue_many)
            quanke.jobs.enqueue_many(calls)
        except Exception:  # noqa: BLE001 - rows are committed: the outbox sweep sends,
            log.exception("could not enqueue after-commit jobs")  # pdf_bytes renders on demand


def _to_applicant(app: Application, event: str, subject: str, body: str) -> dict | None:
    """An SMS to the applicant (:func:`core.outbox.add`'s fields), None without a phone."""
    phone = app.applicant.phone
    if not phone:
        return None
    return {"event": event, "application_id": app.id, "recipient_kind": "applicant",
            "recipient": phone, "subject": subject, "body": f"您的申请（{app.number}）{body}"}


def _to_department(app: Application, event: str, body: str) -> dict:
    """An internal message to the service's department."""
    return {"event": event, "application_id": app.id, "recipient_kind": "department",
            "recipient": app.department_code, "channel": "internal", "subject": event,
            "body": body}


def _notify_applicant(session: Session, app: Application, event: str, subject: str,
                      body: str) -> bool:
    message = _to_applicant(app, event, subject, body)
    if message is not None:
        outbox.add(session, **message)
    return message is not None


def _notify_department(session: Session, app: Application, event: str, body: str) -> bool:
    outbox.add(session, **_to_department(app, event, body))
    return True


# -- checks and evidence --------------------------------------------------------------------

def material_statuses(app: Application) -> dict[str, str]:
    """Latest status per material code (a later row for the same code wins)."""
    out: dict[str, str] = {}
    for material in app.materials:
        out[material.code] = material.status
    return out


def run_checks(quanke, session: Session, service: ServiceDef, applicant: Applicant,
               form_data: dict, materials: dict[str, str], *, phase: str,
               at: dt.datetime | None = None) -> list[tuple[str, str, CheckResult]]:
    """Run the service's checks plus those other plugins add; nothing is written.

    Returns ``(code, name, result)`` triples. A check that raises is reported as a block,
    since credit review must reach a conclusion before acceptance.
    """
    checks = list(service.checks) + quanke.plugins.collect(
        "extra_checks", service=service, applicant=applicant)
    ctx = CheckContext(session=session, service=service, applicant=applicant,
                       form_data=form_data, materials=materials, now=at or utcnow(), phase=phase)
    out = []
    for check in checks:
        try:
            result = check.run(ctx)
            if not isinstance(result, CheckResult):
                raise TypeError(f"check returned {type(result).__name__}")
        except Exception as exc:  # noqa: BLE001
            log.exception("check %s failed", check.code)
            result = CheckResult.block(f"核查“{check.name}”出错，暂时无法得出结论：{type(exc).__name__}")
        out.append((check.code, check.name, result))
    return out


_INSERT_EVIDENCE = insert(CheckEvidence.__table__)


def _store_evidence(session: Session, app: Application, results, phase: str,
                    at: dt.datetime) -> None:
    # One INSERT now rather than objects for the unit of work (cheaper; accept is the hot path).
    rows = [{"application_id": app.id, "phase": phase, "check_code": code, "check_name": name,
             "outcome": result.outcome.value, "reasons": list(result.reasons), "hit": result.hit,
             "matched": result.matched, "list_version": result.list_version, "queried_at": at}
            for code, name, result in results]
    if rows:  # (executemany costs more than a single execute for one row)
        session.execute(_INSERT_EVIDENCE, rows if len(rows) > 1 else rows[0])
    if "evidence" in app.__dict__:  # a collection loaded earlier would miss the new rows
        session.expire(app, ["evidence"])


def evidence_changes(app: Application) -> list[dict]:
    """What changed between the acceptance checks and the latest decision-time checks."""
    latest: dict[str, dict[str, CheckEvidence]] = {"acceptance": {}, "decision": {}}
    for ev in app.evidence:
        latest.setdefault(ev.phase, {})[ev.check_code] = ev
    changes = []
    for code, after in latest["decision"].items():
        before = latest["acceptance"].get(code)
        if before is None or (before.outcome, before.hit, before.matched) != (
                after.outcome, after.hit, after.matched):
            changes.append({"check": code, "name": after.check_name,
                            "before": before.outcome if before else None,
                            "after": after.outcome, "reasons": after.reasons,
                            "list_version_before": before.list_version if before else None,
                            "list_version_after": after.list_version})
    return changes


def documents_for(session: Session, app_id: int):
    """Every document issued for an application (receipts, notices, letters, certificates),
    oldest first, with superseded and revoked versions; see :mod:`core.issuance`."""
    return issuance.documents_for(session, app_id)


# -- deadlines ------------------------------------------------------------------------------

def due_date_explanation(quanke, session: Session, app: Application) -> DueDateExplanation | None:
    """How the due date was computed: start, working days, skipped days, pauses, extension."""
    if app.accepted_at is None or app.deadline_working_days is None:
        return None
    pauses = [Pause(local_date(p.started_at), local_date(p.ended_at) if p.ended_at else None,
                    p.reason) for p in app.pauses]
    counting = quanke.plugins.services[app.service_code].deadline_counting \
        if app.service_code in quanke.plugins.services else "working_days"
    return compute_due_date(quanke.calendar(session), local_date(app.accepted_at),
                            app.deadline_working_days, pauses=pauses,
                            extension_days=app.extension_days,
                            extension_reason=app.extension_reason, counting=counting)


def _recompute_due(quanke, session: Session, app: Application) -> None:
    explanation = due_date_explanation(quanke, session, app)
    app.due_date = explanation.due_date if explanation else None
    if app.overdue and app.due_date and app.due_date >= local_date(utcnow()):
        app.overdue = False
        app.overdue_since = None


# -- receipt numbers ------------------------------------------------------------------------

def _receipt_counter(dialect_insert):
    return (dialect_insert(ReceiptSequence.__table__)
            .values(centre_id=bindparam("centre_id"), day=bindparam("day"), last=1)
            .on_conflict_do_update(index_elements=["centre_id", "day"],
                                   set_={"last": ReceiptSequence.__table__.c.last + 1})
            .returning(ReceiptSequence.__table__.c.last))


#: Built once per dialect: building the statement anew each time cost more than running it.
_RECEIPT_COUNTERS = {"postgresql": _receipt_counter(postgresql.insert),
                     "sqlite": _receipt_counter(sqlite.insert)}


def next_receipt_no(session: Session, centre: Centre, day: dt.date) -> str:
    """``<centre code>-<yyyymmdd>-<nnnn>``: unique per centre and day, safe under concurrency."""
    stmt = _RECEIPT_COUNTERS[session.get_bind().dialect.name]
    seq = session.execute(stmt, {"centre_id": centre.id, "day": day}).scalar_one()
    return f"{centre.code}-{day:%Y%m%d}-{seq:04d}"


# -- filing ---------------------------------------------------------------------------------

def to_formdata(data) -> MultiDict:
    """Plain data (JSON, Python values) → the multi-dict a submitted HTML form would give."""
    if hasattr(data, "getlist"):
        return data
    pairs = []
    for key, value in (data or {}).items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is None or item is False:
                continue
            if item is True:
                item = "y"
            elif isinstance(item, (dt.date, dt.datetime)):
                item = item.isoformat()
            pairs.append((key, str(item)))
    return MultiDict(pairs)


def validate_form(service: ServiceDef, form_data) -> dict:
    """Validate application data with the service's own form; returns the cleaned data."""
    form = service.form(formdata=to_formdata(form_data))
    if not form.validate():
        raise InvalidInput("申请表填写有误，请按提示修改", code="invalid_form",
                           details={"fields": {k: [str(m) for m in v] for k, v in form.errors.items()}})
    return {k: _jsonable(v) for k, v in form.data.items() if k not in ("csrf_token", "submit")}


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _check_uploads(service: ServiceDef, uploads: Iterable[Upload]) -> list[CheckedUpload]:
    checked = []
    for upload in uploads:
        try:
            spec = service.material(upload.material_code)
        except KeyError:
            raise InvalidInput(f"该事项没有材料“{upload.material_code}”", code="unknown_material",
                               field=upload.material_code) from None
        checked.append(check_upload(spec, upload))
    return checked


def _add_materials(quanke, session: Session, app: Application, service: ServiceDef,
                   paper: Iterable[str], checked: list[CheckedUpload]) -> None:
    for code in paper:
        try:
            spec = service.material(code)
        except KeyError:
            raise InvalidInput(f"该事项没有材料“{code}”", code="unknown_material", field=code) from None
        if not spec.paper_ok:
            raise InvalidInput(f"“{spec.name}”须提交电子件", code="scan_required", field=code)
        app.materials.append(Material(code=code, status=MaterialStatus.PAPER.value))
    for item in checked:
        store(quanke.config["UPLOAD_DIR"], item)
        app.materials.append(Material(code=item.material_code, status=MaterialStatus.SCAN.value,
                                      filename=item.filename, content_type=item.content_type,
                                      size=item.size, sha256=item.sha256))


def _new_number(at: dt.datetime) -> str:
    return f"QK{local_date(at):%Y%m%d}{secrets.token_hex(4).upper()}"


def file_application(quanke, actor: Actor, *, service_code: str, applicant_id: int,
                     form_data: dict, paper: Iterable[str] = (), uploads: Iterable[Upload] = (),
                     submit: bool = True, consent: bool = False, consent_text: str = "",
                     idempotency_key: str | None = None, pickup_centre_id: int | None = None,
                     delivery_method: str = "pickup", at: dt.datetime | None = None) -> Application:
    """File a new application (登记申请).

    A counter worker or agent files for the applicant in front of them: the application is
    ``submitted`` at once and must record the citizen's consent. A citizen applying remotely
    gets a ``draft`` (or ``submitted`` when ``submit`` and identity checks passed).
    The same ``idempotency_key`` twice returns the first application (double submit).
    """
    at = at or utcnow()
    service = quanke.service(service_code)
    if delivery_method not in ("pickup", "courier"):
        raise InvalidInput("领取方式只能是窗口领取或邮寄", code="invalid_delivery_method")
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 80):
        raise InvalidInput("重复提交校验码无效", code="invalid_idempotency_key")
    checked, paper = _check_uploads(service, uploads), list(paper)  # paper is read twice
    clean_form = validate_form(service, form_data)
    with quanke.db.session() as session:
        who = _reload_actor(session, actor)
        if idempotency_key:
            existing = session.scalar(select(Application).where(
                Application.idempotency_key == idempotency_key))
            if existing is not None:
                return _same_submission(existing, who)
        applicant = session.get(Applicant, applicant_id)
        if applicant is None:
            raise NotFound("申请人不存在", code="applicant_not_found")
        app = Application(number=_new_number(at), service_code=service.code,
                          department_code=service.department, applicant_id=applicant.id,
                          applicant=applicant, form_data=clean_form,
                          idempotency_key=idempotency_key, created_at=at,
                          pickup_centre_id=pickup_centre_id, delivery_method=delivery_method)
        if isinstance(who, Citizen):
            if "remote" not in service.channels:
                raise Forbidden("该事项不支持网上申请，请到窗口办理", code="channel_not_allowed")
            if applicant.kind == "person" and who.applicant_id != applicant.id:
                raise Forbidden("只能为本人申请", code="forbidden_role")
            app.channel, app.citizen_id, app.state = "remote", who.id, State.DRAFT.value
        elif isinstance(who, User) and (who.has_role(Role.COUNTER) or who.has_role(Role.AGENT)):
            channel = "counter" if who.has_role(Role.COUNTER) else "agent"
            if channel not in service.channels:
                raise Forbidden("该事项不支持此办理渠道", code="channel_not_allowed")
            if not consent:
                raise InvalidInput("代为填报须记录申请人的同意", code="consent_required",
                                   field="consent")
            if channel == "counter":
                centre = authorised_centre(session, who.centre_id, service.code)
                if centre is None:
                    raise Forbidden("本中心未获授权受理该事项", code="centre_not_authorised")
                app.centre_id = centre.id
            app.channel, app.state = channel, State.SUBMITTED.value
            app.filed_by_id, app.on_behalf = who.id, True
            app.consent_text = consent_text or "申请人同意由工作人员代为填报"
            app.consent_at = at
            app.submitted_at = at
            citizen = session.scalar(select(Citizen).where(Citizen.applicant_id == applicant.id))
            app.citizen_id = citizen.id if citizen else None
        else:
            raise Forbidden("无权登记申请", code="forbidden_role")
        validation.check_new(quanke, session, service, applicant, clean_form, paper, checked,
                             draft=app.state == State.DRAFT.value)
        _add_materials(quanke, session, app, service, paper, checked)
        session.add(app)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            existing = session.scalar(select(Application).where(
                Application.idempotency_key == idempotency_key)) if idempotency_key else None
            if existing is None:
                raise
            return _same_submission(existing, who)
        pending = _finish(session, app, "file", None, actor_key(who),
                          {"channel": app.channel, "on_behalf": app.on_behalf,
                           "materials": sorted(material_statuses(app))}, at=at)
    _after_commit(quanke, pending)
    if submit and app.state == State.DRAFT.value and not service.identity:
        # Services that need remote identity steps stay a draft until those have passed.
        return submit_application(quanke, actor, app.id)
    return app


def _same_submission(existing: Application, who: Actor) -> Application:
    if isinstance(who, User) and existing.filed_by_id == who.id:
        return existing
    if isinstance(who, Citizen) and existing.citizen_id == who.id:
        return existing
    raise Conflict("该提交编号已被使用", code="idempotency_key_reused")


def record_identity_step(quanke, actor: Actor, app_id: int, step: str, *,
                         evidence: dict | None = None) -> Application:
    """Record that a remote identity step (face / sms / esign) passed for this draft."""
    def body(session, app, who):
        _require_owner(who, app, "核验身份")
        if app.state not in (State.DRAFT.value, State.CORRECTION_REQUESTED.value):
            raise InvalidState("只有草稿或待补正的申请需要身份核验", code="invalid_state")
        service = quanke.service(app.service_code)
        if step not in service.identity:
            raise InvalidInput(f"该事项不需要身份核验步骤 {step}", code="unknown_identity_step")
        app.identity_passed = sorted(set(app.identity_passed or []) | {step})
        return {"step": step, "evidence": evidence or {}}
    return _transition(quanke, actor, app_id, "identity_step", body)


def attach_material(quanke, actor: Actor, app_id: int, *, paper: Iterable[str] = (),
                    uploads: Iterable[Upload] = ()) -> Application:
    """Add materials to a draft, a submitted application (counter) or one awaiting correction."""
    uploads, paper = list(uploads), list(paper)

    def body(session, app, who):
        if isinstance(who, Citizen):
            _require_owner(who, app, "补充材料")
            if paper:
                raise InvalidInput("网上申请只能上传电子件", code="scan_required")
            if app.state not in (State.DRAFT.value, State.CORRECTION_REQUESTED.value):
                raise InvalidState("当前状态不能补充材料", code="invalid_state")
        else:
            _require_counter(session, who, app, "补收材料")
            if app.state not in (State.SUBMITTED.value, State.CORRECTION_REQUESTED.value):
                raise InvalidState("当前状态不能补充材料", code="invalid_state")
        service = quanke.service(app.service_code)
        _add_materials(quanke, session, app, service, paper, _check_uploads(service, uploads))
        return {"paper": paper, "scans": [u.material_code for u in uploads]}
    return _transition(quanke, actor, app_id, "attach_material", body)


# -- acceptance (front desk) ----------------------------------------------------------------

def submit_application(quanke, actor: Actor, app_id: int) -> Application:
    """Submit a draft (提交): every identity step the service requires must have passed."""
    def body(session, app, who):
        _require_owner(who, app, "提交申请")
        _require_state(app, "submit")
        service = quanke.service(app.service_code)
        missing = set(service.identity) - set(app.identity_passed or [])
        if missing:
            names = {"face": "人脸核验", "sms": "短信验证码", "esign": "电子签名"}
            raise InvalidState("提交前须完成身份核验：" + "、".join(names[m] for m in sorted(missing)),
                               code="identity_required", details={"missing": sorted(missing)})
        validation.check_draft(quanke, session, app)
        app.state, app.submitted_at = State.SUBMITTED.value, utcnow()
        return {}
    return _transition(quanke, actor, app_id, "submit", body)


def missing_materials(service: ServiceDef, statuses: dict[str, str]) -> list[str]:
    """Required materials not received (an alternative material counts for its partner)."""
    present = {code for code, status in statuses.items()
               if status in (MaterialStatus.PAPER.value, MaterialStatus.SCAN.value)}
    for spec in service.materials:
        if spec.alternative_to and spec.code in present:
            present.add(spec.alternative_to)
        if spec.alternative_to and spec.alternative_to in present:
            present.add(spec.code)
    return [spec.code for spec in service.materials if spec.required and spec.code not in present]


def preview_checks(quanke, app_id: int) -> list[tuple[str, str, CheckResult]]:
    """Run the checks the counter worker sees before accepting; writes nothing."""
    with quanke.db.session() as session:
        app = _load(session, app_id, lock=False)
        service = quanke.service(app.service_code)
        return run_checks(quanke, session, service, app.applicant, app.form_data,
                          material_statuses(app), phase="acceptance")


def accept(quanke, actor: Actor, app_id: int, *, warn_reason: str = "",
           at: dt.datetime | None = None) -> Application:
    """Accept (受理): materials complete, checks not blocking → receipt number and due date."""
    at = at or utcnow()

    def body(session, app, user):
        centre, department_name, has_receipt = _acceptance_context(session, user, app)
        _require_state(app, "accept")
        service = quanke.service(app.service_code)
        statuses = material_statuses(app)
        missing = missing_materials(service, statuses)
        if missing:
            names = "、".join(service.material(c).name for c in missing)
            raise InvalidInput(f"材料不齐全，不能受理：缺少{names}。请出具一次性补正告知书",
                               code="materials_missing", details={"missing": missing})
        results = run_checks(quanke, session, service, app.applicant, app.form_data, statuses,
                             phase="acceptance", at=at)
        blocked = [r for _, _, r in results if r.outcome is Outcome.BLOCK]
        if blocked:
            raise Forbidden("核查未通过，不能受理：" + "；".join(r for b in blocked for r in b.reasons),
                            code="checks_blocked")
        warned = [r for _, _, r in results if r.outcome is Outcome.WARN]
        if warned and not warn_reason.strip():
            raise InvalidInput("核查有提示事项，受理须记录理由", code="warn_reason_required",
                               field="warn_reason")
        _store_evidence(session, app, results, "acceptance", at)
        day = local_date(at)
        _write(session, app, state=State.ACCEPTED.value, accepted_at=at, accepted_by_id=user.id,
               centre_id=centre.id, warn_reason=warn_reason.strip() if warned else "",
               receipt_no=next_receipt_no(session, centre, day),
               deadline_working_days=service.deadline_working_days,
               due_date=compute_due_date(quanke.calendar(session), day,
                                         service.deadline_working_days,
                                         counting=service.deadline_counting).due_date)
        set_committed_value(app, "centre", centre)
        to_applicant = _to_applicant(app, "accepted", "已受理",
                                     f"已于{local_date(at):%Y年%m月%d日}受理，受理编号{app.receipt_no}，"
                                     f"办结期限{app.due_date:%Y年%m月%d日}。")
        outbox.add_many(session, [m for m in (to_applicant, _to_department(
            app, "new_work", f"新受理件 {app.receipt_no} 待认领")) if m is not None])
        doc = issuance.record_document(session, app, "receipt", by_id=user.id, service=service, at=at,
                                       department_name=department_name, has_valid=has_receipt)
        return {"receipt_no": app.receipt_no, "due_date": app.due_date.isoformat(),
                "warn_reason": app.warn_reason, "document": doc.number,
                "_notify": to_applicant is not None,
                "_documents": [doc.id]}
    return _transition(quanke, actor, app_id, "accept", body, at=at,
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
    order, as :func:`_require_counter` on a reloaded actor."""
    row = session.execute(_ACCEPTANCE_CONTEXT, {
        "user_id": actor.id, "app_id": app.id, "service_code": app.service_code,
        "department_code": app.department_code}).first() if isinstance(actor, User) else None
    if row is None or not row[0]:
        raise Forbidden("只有工作人员可以受理", code="forbidden_role")
    active, counter, centre, department_name, has_receipt = row
    if not counter:
        raise Forbidden("只有全科社工可以受理", code="forbidden_role")
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
        _require_counter(session, who, app, "出具补正告知")
        _require_state(app, "return")
        service = quanke.service(app.service_code)
        gaps = []
        for code in missing_materials(service, material_statuses(app)):
            gaps.append({"code": code, "name": service.material(code).name,
                         "reason": defects.pop(code, "") or "未提交"})
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
        due = add_working_days(quanke.calendar(session), local_date(at),
                               int(quanke.config["CORRECTION_WORKING_DAYS"]))
        session.add(Decision(application_id=app.id, kind="return", reasons=note.strip(),
                             gaps=gaps, correction_due=due, by_id=who.id, at=at))
        app.state = State.CORRECTION_REQUESTED.value
        items = "；".join(f"{g['name']}（{g['reason']}）" for g in gaps)
        notified = _notify_applicant(session, app, "correction_requested", "需补正材料",
                                     f"需一次性补正：{items}。请于{due:%Y年%m月%d日}前补正。")
        doc = issuance.record_document(session, app, "correction_notice", by_id=who.id,
                                       service=service, at=at)
        return {"gaps": gaps, "correction_due": due.isoformat(), "document": doc.number,
                "_notify": notified, "_documents": [doc.id]}
    return _transition(quanke, actor, app_id, "return", body, at=at)


def refuse(quanke, actor: Actor, app_id: int, *, reasons: str | Iterable[str]) -> Application:
    """Refuse to accept (不予受理): outside scope or not competent, with written reasons."""
    def body(session, app, who):
        _require_counter(session, who, app, "作出不予受理")
        _require_state(app, "refuse")
        text = _reasons(reasons, "不予受理的理由")
        session.add(Decision(application_id=app.id, kind="refuse", reasons=text, by_id=who.id))
        app.state = State.NOT_ACCEPTED.value
        notified = _notify_applicant(session, app, "not_accepted", "不予受理", f"不予受理：{text}")
        doc = issuance.record_document(session, app, "refusal_notice", by_id=who.id,
                                       service=quanke.service(app.service_code))
        return {"reasons": text, "document": doc.number, "_notify": notified,
                "_documents": [doc.id]}
    return _transition(quanke, actor, app_id, "refuse", body)


def resubmit(quanke, actor: Actor, app_id: int) -> Application:
    """Resubmit after a correction notice (补正后重新提交), by the applicant or at a counter."""
    def body(session, app, who):
        if isinstance(who, Citizen):
            _require_owner(who, app, "重新提交")
        else:
            _require_counter(session, who, app, "代为重新提交")
        _require_state(app, "resubmit")
        app.state, app.submitted_at = State.SUBMITTED.value, utcnow()
        return {}
    return _transition(quanke, actor, app_id, "resubmit", body)


# -- approval (back office) -----------------------------------------------------------------

def claim(quanke, actor: Actor, app_id: int) -> Application:
    """Claim (认领) an accepted application; exclusive — a second claimer gets a conflict."""
    def body(session, app, who):
        user = _require_approver(who, app, "认领")
        if app.state == State.IN_REVIEW.value and app.claimed_by_id and app.claimed_by_id != user.id:
            other = session.get(User, app.claimed_by_id)
            raise Conflict(f"该申请已被{other.name if other else '他人'}认领", code="already_claimed")
        _require_state(app, "claim")
        if app.paused:
            raise InvalidState("计时已中止，恢复后再认领", code="clock_paused")
        app.state, app.claimed_by_id, app.claimed_at = State.IN_REVIEW.value, user.id, utcnow()
        return {}
    return _transition(quanke, actor, app_id, "claim", body)


def release(quanke, actor: Actor, app_id: int) -> Application:
    """Release (退回待认领) a claimed application back to the department queue."""
    def body(session, app, who):
        _require_state(app, "release")
        user = _user(who, "退回")
        if app.claimed_by_id != user.id:
            _require_approver(who, app, "退回他人认领的申请", lead=True)
        else:
            _require_approver(who, app, "退回")
        previous = app.claimed_by_id
        app.state, app.claimed_by_id, app.claimed_at = State.ACCEPTED.value, None, None
        return {"released_from": previous}
    return _transition(quanke, actor, app_id, "release", body)


def assign(quanke, actor: Actor, app_id: int, *, approver_id: int) -> Application:
    """Assign or reassign (分派) to an approver of the department; department lead only."""
    def body(session, app, who):
        _require_approver(who, app, "分派", lead=True)
        _require_state(app, "assign")
        target = session.get(User, approver_id)
        if target is None or not target.active or not target.has_role(Role.APPROVER, app.department_code):
            raise InvalidInput("被分派人不是该部门的审批人员", code="invalid_assignee",
                               field="approver_id")
        if target.id == app.accepted_by_id:
            raise Forbidden("不能分派给该申请的受理人（受审分离）", code="segregation_of_duties")
        previous = app.claimed_by_id
        app.state, app.claimed_by_id, app.claimed_at = State.IN_REVIEW.value, target.id, utcnow()
        return {"assignee": target.id, "previous": previous}
    return _transition(quanke, actor, app_id, "assign", body)


def _require_decider(who: Actor, app: Application, what: str) -> User:
    user = _require_approver(who, app, what)
    if app.claimed_by_id != user.id:
        raise Forbidden("请先认领，只有认领人可以作出决定", code="not_claimant")
    return user


def recheck(quanke, actor: Actor, app_id: int) -> list[dict]:
    """Run the checks again at decision time, store them as evidence, return the changes."""
    def body(session, app, who):
        _require_approver(who, app, "重新核查")
        if app.state not in (State.ACCEPTED.value, State.IN_REVIEW.value):
            raise InvalidState("只有审批中的申请可以重新核查", code="invalid_state")
        _decision_checks(quanke, session, app)
        return {}
    app = _transition(quanke, actor, app_id, "recheck", body)
    return evidence_changes(app)


def _decision_checks(quanke, session: Session, app: Application):
    at = utcnow()
    service = quanke.service(app.service_code)
    results = run_checks(quanke, session, service, app.applicant, app.form_data,
                         material_statuses(app), phase="decision", at=at)
    _store_evidence(session, app, results, "decision", at)
    session.flush()
    session.refresh(app, ["evidence"])
    return results


def approve(quanke, actor: Actor, app_id: int, *, reasons: str = "") -> Application:
    """Approve (准予): checks run again; a new block stops approval."""
    def body(session, app, who):
        user = _require_decider(who, app, "批准")
        _require_state(app, "approve")
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
        notified = _notify_applicant(session, app, "approved", "已批准", "已批准，证照制作中。")
        doc = issuance.record_document(session, app, "decision_approve", by_id=user.id,
                                       service=quanke.service(app.service_code))
        return {"changes": evidence_changes(app), "document": doc.number, "_notify": notified,
                "_documents": [doc.id]}
    return _transition(quanke, actor, app_id, "approve", body)


def reject(quanke, actor: Actor, app_id: int, *, reasons: str | Iterable[str]) -> Application:
    """Reject (不予批准) with written reasons."""
    def body(session, app, who):
        user = _require_decider(who, app, "作出不予批准决定")
        _require_state(app, "reject")
        if app.paused:
            raise InvalidState("计时已中止，恢复后再作决定", code="clock_paused")
        text = _reasons(reasons, "不予批准的理由")
        _decision_checks(quanke, session, app)
        app.state, app.decided_at, app.decided_by_id = State.REJECTED.value, utcnow(), user.id
        session.add(Decision(application_id=app.id, kind="reject", reasons=text, by_id=user.id))
        notified = _notify_applicant(session, app, "rejected", "不予批准", f"不予批准：{text}")
        doc = issuance.record_document(session, app, "decision_reject", by_id=user.id,
                                       service=quanke.service(app.service_code))
        return {"reasons": text, "document": doc.number, "_notify": notified,
                "_documents": [doc.id]}
    return _transition(quanke, actor, app_id, "reject", body)


def issue(quanke, actor: Actor, app_id: int) -> Application:
    """Issue (出证): the result document is produced; by the deciding approver or the system."""
    def body(session, app, who):
        user = None
        if not isinstance(who, SystemActor):
            user = _require_approver(who, app, "出证")
            if user.id != app.decided_by_id:
                raise Forbidden("只有作出决定的审批人员可以出证", code="not_decider")
        _require_state(app, "issue")
        app.state = State.ISSUED.value
        where = "可到任一便民服务中心领取" if app.delivery_method == "pickup" else "将通过邮寄送达"
        notified = _notify_applicant(session, app, "issued", "证照已出", f"证照已制作完成，{where}。")
        service = quanke.service(app.service_code)
        if service.certificate is None:
            return {"_notify": notified}
        doc = issuance.record_document(session, app, "certificate",
                                       by_id=user.id if user else None, service=service)
        return {"document": doc.number, "_notify": notified, "_documents": [doc.id]}
    return _transition(quanke, actor, app_id, "issue", body)


def deliver(quanke, actor: Actor, app_id: int, *, method: str = "pickup",
            recipient_name: str = "", recipient_id_number: str = "",
            tracking_no: str = "") -> Application:
    """Deliver (送达): handover at any centre with the recipient's identity re-checked, or courier."""
    def body(session, app, who):
        user = _require_counter(session, who, app, "办理送达", authorised=False)
        _require_state(app, "deliver")
        delivery = Delivery(application_id=app.id, method=method, centre_id=user.centre_id,
                            staff_id=user.id)
        if method == "pickup":
            number = (recipient_id_number or "").strip().upper()
            if not number:
                raise InvalidInput("请核验领取人身份证件", code="identity_check_required",
                                   field="recipient_id_number")
            if app.applicant.kind == "person" and number != app.applicant.id_number:
                raise Forbidden("领取人身份与申请人不一致", code="recipient_mismatch")
            if app.applicant.kind == "enterprise":
                from .identifiers import validate_resident_id
                validate_resident_id(number)
            delivery.recipient_name = (recipient_name or app.applicant.name).strip()
            delivery.recipient_id_number, delivery.identity_checked = number, True
        elif method == "courier":
            if not (tracking_no or "").strip():
                raise InvalidInput("请填写快递单号", code="tracking_no_required", field="tracking_no")
            delivery.tracking_no = tracking_no.strip()
            delivery.recipient_name = app.applicant.name
        else:
            raise InvalidInput("送达方式只能是窗口领取或邮寄", code="invalid_delivery_method")
        session.add(delivery)
        app.state = State.DELIVERED.value
        issuance.note_delivery(session, app)
        return {"method": method, "centre_id": user.centre_id, "tracking_no": delivery.tracking_no}
    return _transition(quanke, actor, app_id, "deliver", body)


def withdraw(quanke, actor: Actor, app_id: int, *, reason: str = "") -> Application:
    """Withdraw (撤回) by the applicant, or at a counter on their behalf with a reason."""
    def body(session, app, who):
        if isinstance(who, Citizen):
            _require_owner(who, app, "撤回")
        else:
            _require_counter(session, who, app, "代为撤回", authorised=False)
            if app.state == State.DRAFT.value:
                raise Forbidden("草稿只能由申请人本人删除或撤回", code="forbidden_role")
            _reasons(reason, "撤回原因（申请人意愿）")
        _require_state(app, "withdraw")
        app.state = State.WITHDRAWN.value
        if app.claimed_by_id:
            _notify_department(session, app, "withdrawn", f"申请 {app.number} 已被申请人撤回")
        return {"reason": reason.strip()}
    return _transition(quanke, actor, app_id, "withdraw", body)


# -- the deadline clock ---------------------------------------------------------------------

def pause(quanke, actor: Actor, app_id: int, *, reason: str) -> Application:
    """Stop the clock (中止计时) — e.g. waiting for an inspection or expert opinion."""
    def body(session, app, who):
        user = _require_claimant_or_lead(who, app, "中止计时")
        _require_state(app, "pause")
        if app.paused:
            raise InvalidState("计时已处于中止状态", code="already_paused")
        text = _reasons(reason, "中止计时的原因")
        app.pauses.append(ClockPause(reason=text, started_at=utcnow(), by_id=user.id))
        app.paused = True
        _recompute_due(quanke, session, app)
        return {"reason": text}
    return _transition(quanke, actor, app_id, "pause", body)


def resume(quanke, actor: Actor, app_id: int) -> Application:
    """Restart the clock (恢复计时); the due date moves by the paused working days."""
    def body(session, app, who):
        _require_claimant_or_lead(who, app, "恢复计时")
        _require_state(app, "resume")
        if not app.paused:
            raise InvalidState("计时没有中止", code="not_paused")
        app.pauses[-1].ended_at = utcnow()
        app.paused = False
        _recompute_due(quanke, session, app)
        return {"due_date": app.due_date.isoformat() if app.due_date else None}
    return _transition(quanke, actor, app_id, "resume", body)


def extend(quanke, actor: Actor, app_id: int, *, days: int, reason: str) -> Application:
    """Extend the deadline once (延长期限), by the department lead, with a reason."""
    def body(session, app, who):
        user = _require_approver(who, app, "延长期限", lead=True)
        _require_state(app, "extend")
        if app.extension_days:
            raise InvalidState("办理期限只能延长一次", code="already_extended")
        limit = int(quanke.config["MAX_EXTENSION_WORKING_DAYS"])
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= limit:
            raise InvalidInput(f"延长天数应为1至{limit}个工作日", code="invalid_extension",
                               field="days")
        text = _reasons(reason, "延长期限的理由")
        app.extension_days, app.extension_reason, app.extended_by_id = days, text, user.id
        _recompute_due(quanke, session, app)
        return {"days": days, "reason": text,
                "due_date": app.due_date.isoformat() if app.due_date else None}
    return _transition(quanke, actor, app_id, "extend", body)


def mark_overdue(quanke, app_id: int, *, day: dt.date) -> Application | None:
    """Flag an application whose due date has passed (超期) and tell its department.

    Never changes the state: overdue is a flag that puts the application first in queues.
    Returns None when there was nothing to do (idempotent).
    """
    with quanke.db.session() as session:
        app = _load(session, app_id, lock=True)
        if (app.overdue or app.paused or app.due_date is None or app.due_date >= day
                or app.state not in (State.ACCEPTED.value, State.IN_REVIEW.value)):
            return None
        app.overdue, app.overdue_since = True, app.due_date + dt.timedelta(days=1)
        _notify_department(session, app, "overdue",
                           f"申请 {app.receipt_no or app.number} 已超过办结期限 {app.due_date:%Y-%m-%d}")
        pending = _finish(session, app, "mark_overdue", app.state, "system",
                          {"due_date": app.due_date.isoformat(), "_notify": True})
    _after_commit(quanke, pending)
    return app


# -- editing a draft (修改草稿) ---------------------------------------------------------------

ACTION_LABELS["update_draft"] = "修改草稿"
_UNSET = object()


def update_draft(quanke, actor: Actor, app_id: int, *, form_data=None, paper: Iterable[str] = (),
                 uploads: Iterable[Upload] = (), remove_materials: Iterable[int] = (),
                 delivery_method: str | None = None, pickup_centre_id=_UNSET,
                 consent: bool = False) -> Application:
    """Edit a draft (修改草稿) before it is submitted: its form, materials and delivery.

    The citizen who owns the draft may edit it; so may a counter worker of a centre
    authorised for the service, helping the citizen in front of them, with the citizen's
    consent recorded (as when filing on their behalf). ``form_data`` (when given) replaces
    the whole form and is validated by the service's own form; ``remove_materials`` are
    material ids of this draft; ``paper`` (counter only) and ``uploads`` add materials.
    Any state but ``draft`` is refused (``invalid_state``): after submission the counter's
    one-time correction notice (一次性告知) is the way to change an application. Audited
    with the names of the changed fields, never their values (they may be personal data).
    """
    uploads, paper = list(uploads), list(paper)
    try:
        remove = {int(x) for x in remove_materials}
    except (TypeError, ValueError):
        raise InvalidInput("要删除的材料编号无效", code="invalid_material_id") from None
    if delivery_method is not None and delivery_method not in ("pickup", "courier"):
        raise InvalidInput("领取方式只能是窗口领取或邮寄", code="invalid_delivery_method",
                           field="delivery_method")

    def body(session, app, who):
        if isinstance(who, Citizen):
            _require_owner(who, app, "修改草稿")
            if paper:
                raise InvalidInput("网上申请只能上传电子件", code="scan_required")
        else:
            _require_counter(session, who, app, "协助修改草稿")
            if not consent:
                raise InvalidInput("代为修改须记录申请人的同意", code="consent_required",
                                   field="consent")
        if app.state != State.DRAFT.value:
            raise InvalidState(
                f"申请当前状态为“{State(app.state).label}”，只有草稿可以修改；"
                "已提交的申请如需更正，请等待窗口的一次性告知补正",
                code="not_a_draft", details={"state": app.state})
        service = quanke.service(app.service_code)
        changed: dict = {}
        if form_data is not None:
            clean = validate_form(service, form_data)
            before = app.form_data or {}
            fields = sorted(k for k in set(clean) | set(before) if clean.get(k) != before.get(k))
            if fields:
                app.form_data = clean
                changed["fields"] = fields
        if remove:
            mine = {m.id: m for m in app.materials}
            unknown = sorted(remove - set(mine))
            if unknown:
                raise NotFound("材料不存在或不属于该草稿", code="material_not_found",
                               details={"ids": unknown})
            changed["removed"] = sorted(mine[i].code for i in remove)
            for material_id in remove:
                app.materials.remove(mine[material_id])
        if paper or uploads:
            _add_materials(quanke, session, app, service, paper, _check_uploads(service, uploads))
            changed["added"] = sorted([*paper, *(u.material_code for u in uploads)])
        if delivery_method is not None and delivery_method != app.delivery_method:
            app.delivery_method = changed["delivery_method"] = delivery_method
        if pickup_centre_id is not _UNSET and pickup_centre_id != app.pickup_centre_id:
            if pickup_centre_id is not None and session.get(Centre, pickup_centre_id) is None:
                raise InvalidInput("领取中心不存在", code="unknown_centre", field="pickup_centre_id")
            app.pickup_centre_id = changed["pickup_centre_id"] = pickup_centre_id
        if isinstance(who, User):
            changed["assisted_by_counter"] = True
        return changed
    return _transition(quanke, actor, app_id, "update_draft", body)
