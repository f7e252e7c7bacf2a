"""Filing with the register in view, and 证照联办 (licence + permit from one form).

:func:`core.acceptance.filing.file_application` validates a form with the data alone, then asks the
plugins' ``validate_application`` hook; this plugin answers with :func:`register_errors` —
what the register knows and the form cannot: a name already taken (the clashing name shown),
a business the applicant does not operate, a commitment path closed by a broken
commitment — on the right field, on every filing path (counter, agent, portal, API), so
nothing is saved for input that could never be accepted. The same rules run again as checks at acceptance
and decision (a name can be taken in between).

A joint application is two applications filed together, linked by a bundle reference kept
in ``bl_bundles``: one form, one acceptance (:func:`accept_bundle` accepts both through the
core or neither), two results, each decided in its own department's queue.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select

from core.api import (
    Applicant,
    Application,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    State,
    Upload,
    User,
    accept,
    actor_key,
    broken_commitments_since,
    file_application,
    local_date,
    material_statuses,
    missing_materials,
    now,
    preview_checks,
    record_audit,
    submit_application,
    to_formdata,
    validate_form,
    withdraw,
)
from core.api import record_identity_step as record_application_step

from plugins.business_license.domain import catalog, lookups
from plugins.business_license.checks import COMMITMENT_LOOKBACK
from plugins.business_license.forms import JointForm, split_joint
from plugins.business_license.models import ACTIVE, Bundle

FORM_ERROR = "申请表填写有误，请按提示修改"


def _invalid(fields: dict[str, list[str]]) -> InvalidInput:
    first = next(iter(fields))
    return InvalidInput(FORM_ERROR, code="invalid_form", field=first, details={"fields": fields})


def _owned(session, clean: dict, applicant: Applicant, errors: dict) -> object | None:
    business = lookups.business_by_code(session, clean.get("credit_code") or "")
    if business is None:
        errors["credit_code"] = [f"本区未登记统一社会信用代码为 {clean.get('credit_code')} 的个体工商户"]
    elif business.status != ACTIVE:
        errors["credit_code"] = [f"“{business.name}”已注销登记"]
    elif business.operator_id_number != applicant.id_number:
        errors["credit_code"] = [f"申请人不是“{business.name}”的经营者"]
    else:
        return business
    return None


def _commitment_closed(session, applicant: Applicant) -> str | None:
    broken = broken_commitments_since(session, applicant.id, now() - COMMITMENT_LOOKBACK)
    if not broken:
        return None
    latest = max(broken, key=lambda c: c.verified_at)
    return (f"{local_date(latest.verified_at):%Y年%m月%d日}曾被认定违反告知承诺，"
            "三年内不得适用告知承诺制")


def register_errors(session, service_code: str, clean: dict, applicant: Applicant,
                    materials: set[str], *, check_materials: bool = True) -> dict[str, list[str]]:
    """Field → messages for what only the register can tell (empty when all is well).

    ``check_materials=False`` (a portal draft, materials still to come) leaves out the premises
    proof-or-commitment rule."""
    errors: dict[str, list[str]] = {}
    if service_code == lookups.REGISTRATION:
        if clean["operator_id_number"] != applicant.id_number:
            errors["operator_id_number"] = ["经营者须为申请人本人：身份证号码与申请人不一致"]
        clash = lookups.name_clash(session, clean["trade_name"], clean["industry"], clean["name_form"])
        if clash is not None:
            errors["trade_name"] = [clash.message]
        if check_materials and "premises_proof" not in materials:
            if "premises_commitment" not in materials:
                errors["premises_proof"] = ["请提交经营场所使用证明，或签署住所（经营场所）承诺书代替"]
            else:
                closed = _commitment_closed(session, applicant)
                if closed:
                    errors["premises_commitment"] = [closed + "，请提交经营场所使用证明"]
    elif service_code == lookups.CHANGE:
        business = _owned(session, clean, applicant, errors)
        if business is not None and clean.get("change_name"):
            clash = lookups.name_clash(session, clean["trade_name"], clean["industry"],
                                       clean["name_form"], exclude_business_id=business.id)
            if clash is not None:
                errors["trade_name"] = [clash.message]
        if check_materials and clean.get("change_premises") and "premises_proof" not in materials:
            if "premises_commitment" not in materials:
                errors["premises_proof"] = ["变更经营场所须提交新场所使用证明，或签署住所（经营场所）承诺书代替"]
            else:
                closed = _commitment_closed(session, applicant)
                if closed:
                    errors["premises_commitment"] = [closed + "，请提交经营场所使用证明"]
    elif service_code == lookups.DEREGISTRATION:
        _owned(session, clean, applicant, errors)
    elif service_code == lookups.FOOD_PERMIT:
        if not clean.get("bundle_ref"):
            business = _owned(session, clean, applicant, errors)
            scope = catalog.FOOD_CATEGORY_SCOPE.get(clean.get("food_category"))
            if business is not None and scope not in (business.scopes or []):
                errors["food_category"] = [f"“{business.name}”的经营范围不含“{catalog.SCOPES[scope][0]}”，"
                                           "请先办理变更登记"]
        closed = _commitment_closed(session, applicant)
        if closed:
            errors["food_commitment"] = [closed + "，请按一般程序申请"]
    return errors


def _materials(paper: Iterable[str], uploads: Iterable[Upload]) -> set[str]:
    return set(paper) | {u.material_code for u in uploads}


def file(quanke, actor, *, service_code: str, applicant_id: int, form_data: dict,
         paper: Iterable[str] = (), uploads: Iterable[Upload] = (), **options) -> Application:
    """File one application of this plugin's services.

    ``options`` go to :func:`core.acceptance.filing.file_application` (consent, idempotency_key, ...),
    which checks the register through this plugin's ``validate_application`` hook, as it
    does for the core's counter, portal and API filing.
    """
    service = quanke.service(service_code)
    if service.plugin != "business_license":
        raise NotFound(f"未知的办事事项：{service_code}", code="unknown_service")
    return file_application(quanke, actor, service_code=service_code,
                                     applicant_id=applicant_id, form_data=form_data,
                                     paper=paper, uploads=uploads, **options)


# -- 证照联办 ------------------------------------------------------------------------------

@dataclass
class Joint:
    bundle: Bundle
    registration: Application
    permit: Application


def new_reference(at: dt.datetime | None = None) -> str:
    return f"LB{local_date(at or now()):%Y%m%d}{secrets.token_hex(3).upper()}"


def _split_materials(quanke, paper, uploads):
    registration = {m.code for m in quanke.service(lookups.REGISTRATION).materials}
    permit = {m.code for m in quanke.service(lookups.FOOD_PERMIT).materials}
    unknown = [code for code in _materials(paper, uploads) if code not in registration | permit]
    if unknown:
        raise InvalidInput(f"证照联办没有材料“{unknown[0]}”", code="unknown_material", field=unknown[0])
    return ([c for c in paper if c in registration], [u for u in uploads if u.material_code in registration],
            [c for c in paper if c in permit], [u for u in uploads if u.material_code in permit])


def validate_joint(form_data) -> dict:
    form = JointForm(formdata=to_formdata(form_data))
    if not form.validate():
        raise InvalidInput(FORM_ERROR, code="invalid_form",
                           details={"fields": {k: [str(m) for m in v] for k, v in form.errors.items()}})
    return {k: v for k, v in form.data.items()}


def file_joint(quanke, actor, *, applicant_id: int, form_data: dict, paper: Iterable[str] = (),
               uploads: Iterable[Upload] = (), idempotency_key: str | None = None,
               **options) -> Joint:
    """File the licence and the food permit from one joint form; returns both and the bundle.

    Everything is validated before anything is saved (both forms, the register, the
    materials); the two applications are then filed and linked. With ``idempotency_key`` a
    repeated submission returns the first bundle.
    """
    paper, uploads = list(paper), list(uploads)
    if idempotency_key:
        with quanke.db.session() as session:
            first = session.scalar(select(Application).where(
                Application.idempotency_key == f"{idempotency_key}:licence"))
            if first is not None:
                bundle = lookups.bundle_for_application(session, first.id)
                if bundle is not None:
                    return _joint(session, bundle)
    validate_joint(form_data)
    raw = form_data.to_dict(flat=False) if hasattr(form_data, "getlist") else dict(form_data or {})
    reg_data, permit_data = split_joint(raw)
    reg_paper, reg_uploads, permit_paper, permit_uploads = _split_materials(quanke, paper, uploads)
    reference = new_reference()
    permit_data["bundle_ref"] = reference
    reg_clean = validate_form(quanke.service(lookups.REGISTRATION), reg_data)
    permit_clean = validate_form(quanke.service(lookups.FOOD_PERMIT), permit_data)
    with quanke.db.session() as session:
        applicant = session.get(Applicant, applicant_id)
        if applicant is None:
            raise NotFound("申请人不存在", code="applicant_not_found")
        errors = register_errors(session, lookups.REGISTRATION, reg_clean, applicant,
                                 _materials(reg_paper, reg_uploads))
        errors.update(register_errors(session, lookups.FOOD_PERMIT, permit_clean, applicant,
                                      _materials(permit_paper, permit_uploads)))
    if errors:
        raise _invalid(errors)
    keys = ({"idempotency_key": f"{idempotency_key}:licence"}, {"idempotency_key": f"{idempotency_key}:permit"}) \
        if idempotency_key else ({}, {})
    registration = file_application(
        quanke, actor, service_code=lookups.REGISTRATION, applicant_id=applicant_id,
        form_data=reg_data, paper=reg_paper, uploads=reg_uploads, **keys[0], **options)
    try:
        permit = file_application(
            quanke, actor, service_code=lookups.FOOD_PERMIT, applicant_id=applicant_id,
            form_data=permit_data, paper=permit_paper, uploads=permit_uploads, **keys[1], **options)
    except Exception:
        _undo(quanke, actor, registration)
        raise
    with quanke.db.session() as session:
        bundle = Bundle(reference=reference, registration_application_id=registration.id,
                        permit_application_id=permit.id, created_by=actor_key(actor))
        session.add(bundle)
        session.flush()
        record_audit(session, actor=actor_key(actor), action="bl_bundle_filed",
                     object_type="bl_bundle", object_id=bundle.id, application_id=registration.id,
                     subject=registration.applicant.id_number,
                     data={"reference": reference, "registration": registration.number,
                           "permit": permit.number})
        return _joint(session, bundle)


def _undo(quanke, actor, app: Application) -> None:
    """The permit could not be filed after the licence was: withdraw the licence (audited)."""
    reason = "证照联办的许可申请未能登记，营业执照申请一并撤回"
    try:
        withdraw(quanke, actor, app.id, reason=reason)
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def _joint(session, bundle: Bundle) -> Joint:
    return Joint(bundle, session.get(Application, bundle.registration_application_id),
                 session.get(Application, bundle.permit_application_id))


def bundle(quanke, reference: str) -> Joint:
    with quanke.db.session() as session:
        found = lookups.bundle_by_reference(session, reference)
        if found is None:
            raise NotFound(f"联办编号 {reference} 不存在", code="bundle_not_found")
        return _joint(session, found)


def _preflight(quanke, app: Application) -> tuple[list[str], list[str]]:
    """(blocking problems, warnings) acceptance would meet — read only."""
    service = quanke.service(app.service_code)
    problems, warnings = [], []
    with quanke.db.session() as session:
        statuses = material_statuses(session.get(Application, app.id))
    missing = missing_materials(service, statuses)
    if missing:
        problems.append("缺少" + "、".join(service.material(c).name for c in missing))
    for _code, name, result in preview_checks(quanke, app.id):
        if result.outcome.value == "block":
            problems.append(f"{name}：" + "；".join(result.reasons))
        elif result.outcome.value == "warn":
            warnings.append(f"{name}：" + "；".join(result.reasons))
    return problems, warnings


def accept_bundle(quanke, actor, reference: str, *, warn_reason: str = "") -> Joint:
    """One acceptance for both: both pass (materials, checks) or neither is accepted."""
    joint = bundle(quanke, reference)
    apps = (joint.registration, joint.permit)
    for app in apps:
        if app.state != State.SUBMITTED.value:
            raise InvalidState(f"{quanke.service(app.service_code).name}（{app.number}）当前为"
                               f"“{State(app.state).label}”，不能一并受理", code="invalid_state")
    found = {app.id: _preflight(quanke, app) for app in apps}
    problems = [f"{quanke.service(a.service_code).name}：{p}" for a in apps for p in found[a.id][0]]
    if problems:
        raise Forbidden("联办申请不能受理：" + "；".join(problems) + "。请出具一次性补正告知书",
                        code="bundle_not_acceptable", details={"problems": problems})
    if any(found[a.id][1] for a in apps) and not warn_reason.strip():
        warnings = [w for a in apps for w in found[a.id][1]]
        raise InvalidInput("核查有提示事项，受理须记录理由：" + "；".join(warnings),
                           code="warn_reason_required", field="warn_reason")
    accepted = []
    for app in apps:
        try:
            accepted.append(accept(quanke, actor, app.id, warn_reason=warn_reason))
        except Exception as exc:
            if accepted:  # the first is accepted for real; say so rather than pretend
                raise InvalidState(f"营业执照申请已受理（{accepted[0].receipt_no}），但许可申请受理失败："
                                   f"{getattr(exc, 'message', exc)}", code="bundle_half_accepted") from exc
            raise
    with quanke.db.session() as session:
        row = lookups.bundle_by_reference(session, reference)
        row.accepted_at = now()
        row.accepted_by_id = actor.id if isinstance(actor, User) else None
        record_audit(session, actor=actor_key(actor), action="bl_bundle_accepted",
                     object_type="bl_bundle", object_id=row.id, application_id=accepted[0].id,
                     data={"reference": reference, "receipts": [a.receipt_no for a in accepted]})
        return _joint(session, row)


def record_identity_step(quanke, citizen, reference: str, step: str, *, evidence: dict | None = None) -> Joint:
    """A remote identity step passed once counts for both applications of the bundle."""
    joint = bundle(quanke, reference)
    for app in (joint.registration, joint.permit):
        record_application_step(quanke, citizen, app.id, step, evidence=evidence)
    return bundle(quanke, reference)


def submit_bundle(quanke, citizen, reference: str) -> Joint:
    joint = bundle(quanke, reference)
    for app in (joint.registration, joint.permit):
        if app.state == State.DRAFT.value:
            submit_application(quanke, citizen, app.id)
    return bundle(quanke, reference)
