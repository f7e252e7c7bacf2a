"""Keeping the register in step with decisions (the plugin's jobs).

* registration approved → a credit code is assigned and the business recorded
  (:mod:`.registration`, the code from :mod:`.credit_codes`);
* change approved → the business updated, before/after kept;
* deregistration approved → the business deregistered, its food permits cancelled;
* food permit approved → permit number, commitment signed, permit recorded;
* certificate issued → the licence in force moves to the new certificate and the old one is
  marked superseded with :func:`core.papers.issuance.supersede` (audited; its verification page then
  names the replacement).

Every function is a job: ``func(quanke, *, application_id)``, idempotent (a retry finds its
work done), one transaction, audited.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import (
    Application,
    Commitment,
    Document,
    InvalidState,
    NotFound,
    State,
    local_date,
    material_statuses,
    now,
    record_audit,
    sign_commitment,
    supersede_document,
)
from plugins.business_license.domain import catalog, codes, food_filing, lookups, names
from plugins.business_license.models import (
    ACTIVE,
    DEREGISTERED,
    BusinessChange,
    FoodFiling,
    FoodPermit,
    InspectionTask,
    RegisteredBusiness,
)

log = logging.getLogger(__name__)

DECIDED = (State.APPROVED.value, State.ISSUED.value, State.DELIVERED.value)
ACTOR = "system:business_license"


def _approved(session: Session, application_id: int, service_code: str) -> Application | None:
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound("申请不存在", code="application_not_found")
    if app.service_code != service_code:
        return None
    if app.state not in DECIDED:
        raise InvalidState(f"申请 {app.number} 尚未批准", code="not_approved")
    return app


def _by_commitment(app: Application) -> bool:
    statuses = material_statuses(app)
    return (statuses.get("premises_commitment") in ("paper", "scan")
            and statuses.get("premises_proof") not in ("paper", "scan"))


def _sign(quanke, session: Session, app: Application) -> Commitment:
    existing = session.scalar(select(Commitment).where(Commitment.application_id == app.id))
    if existing is not None:
        return existing
    service = quanke.service(app.service_code)
    return sign_commitment(session, applicant_id=app.applicant_id, service_code=app.service_code,
                           text=service.commitment or "", application_id=app.id, actor=ACTOR)


def snapshot(business: RegisteredBusiness) -> dict:
    return {"name": business.name, "operator_residence": business.operator_residence,
            "street": business.street, "address": business.address,
            "scopes": list(business.scopes or []), "phone": business.phone,
            "status": business.status}


# -- change --------------------------------------------------------------------------------

def apply_change(quanke, *, application_id: int) -> int | None:
    with quanke.db.session() as session:
        app = _approved(session, application_id, lookups.CHANGE)
        if app is None:
            return None
        done = session.scalar(select(BusinessChange).where(BusinessChange.application_id == app.id))
        if done is not None:
            return done.business_id
        data = app.form_data
        business = lookups.business_by_code(session, data["credit_code"])
        if business is None or business.status != ACTIVE:
            raise InvalidState(f"统一社会信用代码 {data['credit_code']} 对应的个体工商户不存在或已注销",
                               code="business_not_active")
        before = snapshot(business)
        if data.get("change_name"):
            own = data["business_name"]
            business.name = names.full_name(catalog.district_name(quanke), own)
            business.name_key = names.register_key(own)
            business.trade_name, business.industry = data["trade_name"], data["industry"]
            business.name_form = data["name_form"]
        if data.get("change_premises"):
            business.street, business.address = data["street"], data["address"]
        if data.get("change_residence"):
            business.operator_residence = data["operator_residence"]
        if data.get("new_scopes"):
            business.scopes = list(data["new_scopes"])
        if data.get("new_phone"):
            business.phone = data["new_phone"]
        business.changed_on = local_date(app.decided_at or now())
        after = snapshot(business)
        session.add(BusinessChange(business_id=business.id, application_id=app.id, kind="change",
                                   before=before, after=after))
        session.flush()
        commitment = _sign(quanke, session, app) if (
            data.get("change_premises") and _by_commitment(app)) else None
        record_audit(session, actor=ACTOR, action="bl_business_changed", object_type="bl_business",
                     object_id=business.id, application_id=app.id, subject=business.operator_id_number,
                     data={"before": before, "after": after,
                           "commitment": commitment.id if commitment else None})
        return business.id


# -- deregistration ------------------------------------------------------------------------

def apply_deregistration(quanke, *, application_id: int) -> int | None:
    with quanke.db.session() as session:
        app = _approved(session, application_id, lookups.DEREGISTRATION)
        if app is None:
            return None
        done = session.scalar(select(BusinessChange).where(BusinessChange.application_id == app.id))
        if done is not None:
            return done.business_id
        business = lookups.business_by_code(session, app.form_data["credit_code"])
        if business is None:
            raise InvalidState("要注销的个体工商户不存在", code="business_not_found")
        before = snapshot(business)
        on = local_date(app.decided_at or now())
        business.status, business.deregistered_on = DEREGISTERED, on
        reason = f"个体工商户注销登记（{app.number}）"
        cancelled = []
        for permit in session.scalars(select(FoodPermit).where(
                FoodPermit.business_id == business.id, FoodPermit.status == "valid")):
            permit.status, permit.status_reason, permit.status_at = "cancelled", reason, now()
            cancelled.append(permit.permit_no)
        filings = [f.filing_no for f in food_filing.cancel_for(session, business, reason)]
        for task in session.scalars(select(InspectionTask).where(
                InspectionTask.business_id == business.id, InspectionTask.status == "open")):
            task.status, task.result_note, task.closed_at = "cancelled", reason, now()
        after = snapshot(business)
        session.add(BusinessChange(business_id=business.id, application_id=app.id,
                                   kind="deregistration", before=before, after=after))
        session.flush()
        record_audit(session, actor=ACTOR, action="bl_business_deregistered", object_type="bl_business",
                     object_id=business.id, application_id=app.id, subject=business.operator_id_number,
                     data={"credit_code": business.credit_code, "on": on.isoformat(),
                           "permits_cancelled": cancelled, "filings_cancelled": filings})
        return business.id


# -- food permit ---------------------------------------------------------------------------

def permit_business(session: Session, app: Application) -> RegisteredBusiness | None:
    """The business a food permit application is for (directly, or through its bundle)."""
    data = app.form_data
    if data.get("bundle_ref"):
        bundle = lookups.bundle_by_reference(session, data["bundle_ref"])
        if bundle is None or bundle.registration_application_id is None:
            return None
        return lookups.business_for_application(session, bundle.registration_application_id)
    return lookups.business_by_code(session, data.get("credit_code") or "")


def record_food_permit(quanke, *, application_id: int) -> str | None:
    with quanke.db.session() as session:
        app = _approved(session, application_id, lookups.FOOD_PERMIT)
        if app is None:
            return None
        existing = session.scalar(select(FoodPermit).where(FoodPermit.application_id == app.id))
        if existing is not None:
            return existing.permit_no
        business = permit_business(session, app)
        if business is None:
            # A bundled licence whose own job has not run yet: the retry will find it.
            raise InvalidState(f"许可 {app.number} 对应的个体工商户尚未登记", code="business_pending")
        data = app.form_data
        start = local_date(app.decided_at or now())
        number = codes.assign_permit_no(session, data["food_category"], catalog.division_code(quanke))
        commitment = _sign(quanke, session, app)
        permit = FoodPermit(permit_no=number, business_id=business.id, application_id=app.id,
                            category=data["food_category"], items=list(data["food_items"]),
                            premises=data["premises"], valid_from=start,
                            valid_until=start.replace(year=start.year + catalog.FOOD_PERMIT_YEARS)
                            - dt.timedelta(days=1),
                            status="valid", commitment_id=commitment.id)
        session.add(permit)
        session.flush()
        record_audit(session, actor=ACTOR, action="bl_food_permit_recorded", object_type="bl_food_permit",
                     object_id=permit.id, application_id=app.id, subject=business.operator_id_number,
                     data={"permit_no": number, "credit_code": business.credit_code,
                           "commitment": commitment.id})
        return number


# -- certificates --------------------------------------------------------------------------

def _valid_certificates(session: Session, app_id: int) -> list[Document]:
    return list(session.scalars(select(Document).where(
        Document.application_id == app_id, Document.kind == "certificate",
        Document.status == "valid").order_by(Document.id)))


def on_issued(quanke, *, application_id: int) -> int:
    """After a certificate is issued: move the licence in force, supersede the old papers.

    Returns how many documents were superseded.
    """
    with quanke.db.session() as session:
        app = session.get(Application, application_id)
        if app is None or app.service_code not in (lookups.REGISTRATION, lookups.CHANGE,
                                                   lookups.DEREGISTRATION):
            return 0
        new_docs = _valid_certificates(session, app.id)
        if not new_docs:
            return 0
        new = new_docs[-1]
        if app.service_code == lookups.REGISTRATION:
            return 0  # the first licence: nothing to replace
        business = lookups.business_by_code(session, app.form_data.get("credit_code") or "")
        applied = session.scalar(select(BusinessChange).where(BusinessChange.application_id == app.id))
        if business is None or applied is None:
            raise InvalidState(f"{app.number} 的登记变更尚未写入名录", code="change_pending")
        if applied.issued_at is not None:
            return 0  # done before (a retried job)
        applied.issued_at = now()
        superseded = 0
        if business.licence_application_id and business.licence_application_id != app.id:
            reason = ("变更登记，换发新营业执照" if app.service_code == lookups.CHANGE
                      else "注销登记，营业执照作废")
            for old in _valid_certificates(session, business.licence_application_id):
                supersede_document(session, old, new, reason=reason, actor=ACTOR)
                superseded += 1
        if app.service_code == lookups.DEREGISTRATION:
            for permit in session.scalars(select(FoodPermit).where(FoodPermit.business_id == business.id,
                                                                   FoodPermit.status == "cancelled")):
                for old in _valid_certificates(session, permit.application_id):
                    supersede_document(session, old, new, reason="注销登记，食品经营许可证一并注销",
                                       actor=ACTOR)
                    superseded += 1
            for filing in session.scalars(select(FoodFiling).where(
                    FoodFiling.business_id == business.id, FoodFiling.status == "cancelled",
                    FoodFiling.document_id.is_not(None))):
                old = session.get(Document, filing.document_id)
                if old.status == "valid":
                    supersede_document(session, old, new, reason="注销登记，食品经营备案一并注销", actor=ACTOR)
                    superseded += 1
        business.licence_application_id = app.id
        record_audit(session, actor=ACTOR, action="bl_licence_in_force", object_type="bl_business",
                     object_id=business.id, application_id=app.id,
                     data={"document": new.number, "superseded": superseded})
        return superseded


APPROVAL_JOBS = {
    lookups.REGISTRATION: "plugins.business_license.domain.registration.record_registration",
    lookups.CHANGE: "plugins.business_license.domain.registry.apply_change",
    lookups.DEREGISTRATION: "plugins.business_license.domain.registry.apply_deregistration",
    lookups.FOOD_PERMIT: "plugins.business_license.domain.registry.record_food_permit",
}
