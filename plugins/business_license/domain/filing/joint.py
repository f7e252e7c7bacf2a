"""证照联办: the licence and the food permit filed from one joint form, as two applications
linked by a bundle reference kept in ``bl_bundles``; finding a bundle again."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select

from core.api import (
    Applicant,
    Application,
    InvalidInput,
    NotFound,
    Upload,
    actor_key,
    file_application,
    local_date,
    now,
    record_audit,
    to_formdata,
    validate_form,
    withdraw,
)
from plugins.business_license.domain import catalog, food_filing, law, lookups
from plugins.business_license.domain.filing.register_rules import (
    FORM_ERROR,
    _invalid,
    _materials,
    register_errors,
)
from plugins.business_license.forms import JointForm, split_joint
from plugins.business_license.models import Bundle, FoodFiling


@dataclass
class Joint:
    """A bundle: the licence with a food permit, or (prepackaged food only) with a filing."""

    bundle: Bundle
    registration: Application
    permit: Application | None
    filing: FoodFiling | None = None

    @property
    def applications(self) -> tuple[Application, ...]:
        return tuple(a for a in (self.registration, self.permit) if a is not None)


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
    joint_clean = validate_joint(form_data)
    raw = form_data.to_dict(flat=False) if hasattr(form_data, "getlist") else dict(form_data or {})
    reg_data, permit_data = split_joint(raw)
    reg_paper, reg_uploads, permit_paper, permit_uploads = _split_materials(quanke, paper, uploads)
    if catalog.filing_only(joint_clean.get("food_items")):
        return _file_with_filing(quanke, actor, applicant_id, joint_clean, reg_data, reg_paper,
                                 reg_uploads, [*permit_paper, *(u.material_code for u in permit_uploads)],
                                 idempotency_key, options)
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


def _file_with_filing(quanke, actor, applicant_id, clean, reg_data, paper, uploads, permit_only,
                      idempotency_key, options) -> Joint:
    """Prepackaged food only (食品安全法第三十五条): the licence is filed, and a filing is kept
    with the bundle instead of a permit application; the permit's own materials are not asked."""
    shared = {m.code for m in quanke.service(lookups.REGISTRATION).materials}  # e.g. the operator's ID
    permit_only = [code for code in permit_only if code not in shared]
    if permit_only:
        code = permit_only[0]
        name = quanke.service(lookups.FOOD_PERMIT).material(code).name
        raise InvalidInput(f"仅销售预包装食品办理备案，不需要提交“{name}”（{law.FOOD_FILING.short}）",
                           code="material_not_needed", field=code)
    reg_clean = validate_form(quanke.service(lookups.REGISTRATION), reg_data)
    with quanke.db.session() as session:
        applicant = session.get(Applicant, applicant_id)
        if applicant is None:
            raise NotFound("申请人不存在", code="applicant_not_found")
        errors = register_errors(session, lookups.REGISTRATION, reg_clean, applicant, _materials(paper, uploads))
    if errors:
        raise _invalid(errors)
    key = {"idempotency_key": f"{idempotency_key}:licence"} if idempotency_key else {}
    registration = file_application(
        quanke, actor, service_code=lookups.REGISTRATION, applicant_id=applicant_id,
        form_data=reg_data, paper=paper, uploads=uploads, **key, **options)
    try:
        with quanke.db.session() as session:
            bundle = Bundle(reference=new_reference(), registration_application_id=registration.id,
                            created_by=actor_key(actor))
            session.add(bundle)
            session.flush()
            app = session.get(Application, registration.id)
            filing = food_filing.start(session, bundle_id=bundle.id, registration=app,
                                       data={**clean, "address": reg_clean["address"]}, actor=actor_key(actor))
            record_audit(session, actor=actor_key(actor), action="bl_bundle_filed",
                         object_type="bl_bundle", object_id=bundle.id, application_id=registration.id,
                         subject=app.applicant.id_number,
                         data={"reference": bundle.reference, "registration": registration.number,
                               "filing": filing.id})
            return _joint(session, bundle)
    except Exception:
        _undo(quanke, actor, registration)
        raise


def _undo(quanke, actor, app: Application) -> None:
    """The permit (or filing) could not be filed after the licence was: withdraw the licence (audited)."""
    reason = "证照联办的许可或备案未能登记，营业执照申请一并撤回"
    try:
        withdraw(quanke, actor, app.id, reason=reason)
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def _joint(session, bundle: Bundle) -> Joint:
    permit = session.get(Application, bundle.permit_application_id) if bundle.permit_application_id else None
    filing = session.scalar(select(FoodFiling).where(FoodFiling.bundle_id == bundle.id))
    return Joint(bundle, session.get(Application, bundle.registration_application_id), permit, filing)


def bundle(quanke, reference: str) -> Joint:
    with quanke.db.session() as session:
        found = lookups.bundle_by_reference(session, reference)
        if found is None:
            raise NotFound(f"联办编号 {reference} 不存在", code="bundle_not_found")
        return _joint(session, found)
