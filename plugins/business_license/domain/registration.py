"""The registration job: on approval the business gets its credit code — from the
``credit_code_provider`` (:mod:`.credit_codes`), retried on a code already registered — and
is written to the register, with the premises commitment signed when it stood in for proof,
and a bundled food filing (:mod:`.food_filing`) completed with its receipt.
Idempotent (a retry finds the business recorded), one transaction, audited.
"""
from __future__ import annotations

from core.api import local_date, now, record_audit
from plugins.business_license.domain import (
    catalog,
    credit_codes,
    food_filing,
    lookups,
    names,
)
from plugins.business_license.domain.registry import (
    ACTOR,
    _approved,
    _by_commitment,
    _sign,
)
from plugins.business_license.forms.fields import parse_members
from plugins.business_license.models import ACTIVE, RegisteredBusiness


def record_registration(quanke, *, application_id: int) -> str | None:
    """Assign the credit code and record the business; returns the code."""
    with quanke.db.session() as session:
        app = _approved(session, application_id, lookups.REGISTRATION)
        if app is None:
            return None
        existing = lookups.business_for_application(session, app.id)
        if existing is not None:
            return existing.credit_code
        data = app.form_data
        own = data["business_name"]
        name = names.full_name(catalog.district_name(quanke), own)

        def make(code: str) -> RegisteredBusiness:
            return RegisteredBusiness(
                name=name, name_key=names.register_key(own),
                trade_name=data["trade_name"], industry=data["industry"], name_form=data["name_form"],
                credit_code=code, operator_id_number=app.applicant.id_number,
                operator_name=data["operator_name"], operator_residence=data.get("operator_residence", ""),
                organisation_form=data["organisation_form"],
                family_members=parse_members(data.get("family_members")), street=data["street"],
                address=data["address"], scopes=list(data["scopes"]), capital=int(data["capital"]),
                employees=int(data.get("employees") or 0), phone=data["phone"], status=ACTIVE,
                registered_on=local_date(app.decided_at or now()), application_id=app.id,
                licence_application_id=app.id, source="app")

        business = credit_codes.record_with_code(
            session, quanke, make, division=catalog.division_code(quanke),
            subject={"name": name, "operator_name": data["operator_name"], "application_number": app.number})
        commitment = _sign(quanke, session, app) if _by_commitment(app) else None
        # A bundled filing (prepackaged food only) is completed with the licence it came with.
        receipt = food_filing.complete(quanke, session, app, business)
        record_audit(session, actor=ACTOR, action="bl_business_registered", object_type="bl_business",
                     object_id=business.id, application_id=app.id, subject=business.operator_id_number,
                     data={"credit_code": business.credit_code, "name": business.name,
                           "code_from": business.credit_code_source, "demo_code": business.credit_code_demo,
                           "commitment": commitment.id if commitment else None})
        code = business.credit_code
    if receipt is not None:  # rendered once the filing is committed
        from plugins.business_license.documents.letters import enqueue_render
        enqueue_render(quanke, receipt)
    return code
