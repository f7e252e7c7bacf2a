"""Filing (登记申请): a new application at the counter, by an agent or online, its identity
steps, added materials and submission.
"""
from __future__ import annotations
import datetime as dt
import logging
import secrets
from typing import Iterable
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from core.acceptance import validation
from core.acceptance.delivery_choice import delivery_choice, delivery_view
from core.platform.clock import local_date, now as utcnow
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.acceptance.uploads import Upload
from core.people.walk_ins import verified_link
from core.platform.models import (Application, Applicant, Citizen, Role, State, User)
from core.acceptance.forms import validate_form
from core.acceptance.materials import add_materials, check_uploads
from core.acceptance.powers import authorised_centre, require_counter
from core.contract.materials import material_statuses
from core.platform.actors import Actor, actor_key
from core.statemachine.guards import require_owner
from core.statemachine.states import require_state
from core.statemachine.transitions import after_commit, finish, fresh_actor, transition
log = logging.getLogger(__name__)


def _new_number(at: dt.datetime) -> str:
    return f"QK{local_date(at):%Y%m%d}{secrets.token_hex(4).upper()}"


def file_application(quanke, actor: Actor, *, service_code: str, applicant_id: int,
                     form_data: dict, paper: Iterable[str] = (), uploads: Iterable[Upload] = (),
                     submit: bool = True, consent: bool = False, consent_text: str = "",
                     idempotency_key: str | None = None, pickup_centre_id: int | None = None,
                     delivery_method: str = "pickup", courier_address: dict | None = None,
                     at: dt.datetime | None = None) -> Application:
    """File a new application (登记申请).

    A counter worker or agent files for the applicant in front of them: the application is
    ``submitted`` at once and must record the citizen's consent. A citizen applying remotely
    gets a ``draft`` (or ``submitted`` when ``submit`` and identity checks passed).
    The same ``idempotency_key`` twice returns the first application (double submit).
    ``delivery_method="courier"`` needs ``courier_address`` (``{"recipient", "phone",
    "address"}``, :mod:`core.acceptance.delivery_choice`); for pick-up it is not kept.
    """
    at = at or utcnow()
    service = quanke.service(service_code)
    delivery_method, courier = delivery_choice(delivery_method, courier_address)
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 80):
        raise InvalidInput("重复提交校验码无效", code="invalid_idempotency_key")
    checked, paper = check_uploads(service, uploads, quanke=quanke, actor=actor), list(paper)  # paper is read twice
    clean_form = validate_form(service, form_data)
    with quanke.db.session() as session:
        who = fresh_actor(session, actor)
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
                          pickup_centre_id=pickup_centre_id, delivery_method=delivery_method,
                          courier_address=courier, clock_rule=service.legal_clock.to_record())
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
            app.owner_id = who.id   # 首问负责: whoever first received it owns it
            app.consent_text = consent_text or "申请人同意由工作人员代为填报"
            app.consent_at = at
            app.submitted_at = at
            # the applicant's portal account sees it only when linked by verified identity
            citizen = session.scalar(select(Citizen).where(Citizen.applicant_id == applicant.id))
            app.citizen_id = citizen.id if citizen and verified_link(session, citizen) else None
        else:
            raise Forbidden("无权登记申请", code="forbidden_role")
        validation.check_new(quanke, session, service, applicant, clean_form, paper, checked,
                             draft=app.state == State.DRAFT.value,
                             delivery=delivery_view(delivery_method, pickup_centre_id, courier))
        add_materials(quanke, session, app, service, paper, checked)
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
        pending = finish(session, app, "file", None, actor_key(who),
                          {"channel": app.channel, "on_behalf": app.on_behalf,
                           "delivery_method": app.delivery_method,
                           "materials": sorted(material_statuses(app))}, at=at)
    after_commit(quanke, pending)
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
        require_owner(who, app, "核验身份")
        if app.state not in (State.DRAFT.value, State.CORRECTION_REQUESTED.value):
            raise InvalidState("只有草稿或待补正的申请需要身份核验", code="invalid_state")
        service = quanke.service(app.service_code)
        if step not in service.identity:
            raise InvalidInput(f"该事项不需要身份核验步骤 {step}", code="unknown_identity_step")
        app.identity_passed = sorted(set(app.identity_passed or []) | {step})
        return {"step": step, "evidence": evidence or {}}
    return transition(quanke, actor, app_id, "identity_step", body)


def attach_material(quanke, actor: Actor, app_id: int, *, paper: Iterable[str] = (),
                    uploads: Iterable[Upload] = ()) -> Application:
    """Add materials to a draft, a submitted application (counter) or one awaiting correction."""
    uploads, paper = list(uploads), list(paper)

    def body(session, app, who):
        if isinstance(who, Citizen):
            require_owner(who, app, "补充材料")
            if paper:
                raise InvalidInput("网上申请只能上传电子件", code="scan_required")
            if app.state not in (State.DRAFT.value, State.CORRECTION_REQUESTED.value):
                raise InvalidState("当前状态不能补充材料", code="invalid_state")
        else:
            require_counter(session, who, app, "补收材料")
            if app.state not in (State.SUBMITTED.value, State.CORRECTION_REQUESTED.value):
                raise InvalidState("当前状态不能补充材料", code="invalid_state")
        service = quanke.service(app.service_code)
        add_materials(quanke, session, app, service, paper,
                      check_uploads(service, uploads, quanke=quanke, actor=who))
        return {"paper": paper, "scans": [u.material_code for u in uploads]}
    return transition(quanke, actor, app_id, "attach_material", body)


def submit_application(quanke, actor: Actor, app_id: int) -> Application:
    """Submit a draft (提交): every identity step the service requires must have passed."""
    def body(session, app, who):
        require_owner(who, app, "提交申请")
        require_state(app, "submit")
        service = quanke.service(app.service_code)
        missing = set(service.identity) - set(app.identity_passed or [])
        if missing:
            names = {"face": "人脸核验", "sms": "短信验证码", "esign": "电子签名"}
            raise InvalidState("提交前须完成身份核验：" + "、".join(names[m] for m in sorted(missing)),
                               code="identity_required", details={"missing": sorted(missing)})
        validation.check_draft(quanke, session, app)
        app.state, app.submitted_at = State.SUBMITTED.value, utcnow()
        return {}
    return transition(quanke, actor, app_id, "submit", body)
