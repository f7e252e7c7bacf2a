"""Selling only prepackaged food: a filing (备案), not a permit (食品安全法第三十五条).

The joint form (证照联办) routes such a scope here: the licence is filed as usual, and instead
of a food permit application a :class:`FoodFiling` is kept with the bundle, *pending* until
the licence is approved. When the registration job records the business, :func:`complete`
gives the filing its number and issues its own receipt (``bl_food_filing``, sealed by the
food-business section, verifiable). A registration that is not approved lets the filing
lapse; a deregistration cancels it. Every change is audited.

The statute sets no procedure or time for the filing beyond "备案" (第三十五条); this system
files it together with the registration it came with, and says so on the receipt.
Filing number: ``YB`` + 主体业态 digit (1 = 食品销售) + division + 6-digit serial + ISO 7064
MOD 11-10 check digit — the structure of the permit number (:mod:`.codes`), as the centre's
own numbering.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.iso7064 import mod_11_10

from core.api import Application, State, local_date, now, record_audit
from plugins.business_license.domain import catalog, codes, law
from plugins.business_license.models import FoodFiling, RegisteredBusiness

ACTOR = "system:business_license"
LAPSE_STATES = (State.REJECTED.value, State.WITHDRAWN.value, State.NOT_ACCEPTED.value)


filing_only = catalog.filing_only


def filing_no_for(division: str, serial: int) -> str:
    digits = "1" + division + f"{serial:06d}"
    return "YB" + digits + mod_11_10.calc_check_digit(digits)


def start(session: Session, *, bundle_id: int, registration: Application, data: dict,
          actor: str) -> FoodFiling:
    """The filing of a joint application, pending until the licence is approved."""
    filing = FoodFiling(bundle_id=bundle_id, registration_application_id=registration.id,
                        category="food_sales", items=sorted(set(data.get("food_items") or [])),
                        premises=data.get("address", ""), area=int(data.get("food_area") or 0),
                        safety_manager=data.get("food_safety_manager", ""), status="pending")
    session.add(filing)
    session.flush()
    record_audit(session, actor=actor, action="bl_food_filing_started", object_type="bl_food_filing",
                 object_id=filing.id, application_id=registration.id,
                 subject=registration.applicant.id_number,
                 data={"items": filing.items, "basis": str(law.FOOD_FILING)})
    return filing


def for_registration(session: Session, app_id: int) -> FoodFiling | None:
    return session.scalar(select(FoodFiling).where(FoodFiling.registration_application_id == app_id))


def complete(quanke, session: Session, app: Application, business: RegisteredBusiness) -> int | None:
    """The licence is approved: number the pending filing and record its receipt (in the
    caller's transaction). Returns the receipt's document id for rendering, else ``None``."""
    from plugins.business_license.documents.letters import record_letter
    filing = for_registration(session, app.id)
    if filing is None or filing.status != "pending":
        return None
    division = catalog.division_code(quanke)
    filing.filing_no = filing_no_for(division, codes.next_value(session, f"yb:{division}"))
    filing.business_id, filing.status = business.id, "filed"
    filing.filed_on = local_date(app.decided_at or now())
    doc = record_letter(session, app, "bl_food_filing", department=catalog.FOOD_SAFETY[0], by_id=None,
                        service_name="食品经营备案（仅销售预包装食品）")
    filing.document_id = doc.id
    record_audit(session, actor=ACTOR, action="bl_food_filing_filed", object_type="bl_food_filing",
                 object_id=filing.id, application_id=app.id, subject=business.operator_id_number,
                 data={"filing_no": filing.filing_no, "credit_code": business.credit_code,
                       "document": doc.number})
    return doc.id


def lapse(quanke, *, application_id: int) -> bool:
    """The registration it came with will not be approved: the filing lapses (audited)."""
    with quanke.db.session() as session:
        filing = for_registration(session, application_id)
        app = session.get(Application, application_id)
        if filing is None or filing.status != "pending" or app is None or app.state not in LAPSE_STATES:
            return False
        filing.status = "lapsed"
        filing.status_reason = f"联办的设立登记（{app.number}）{State(app.state).label}"
        record_audit(session, actor=ACTOR, action="bl_food_filing_lapsed", object_type="bl_food_filing",
                     object_id=filing.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"reason": filing.status_reason})
        return True


def cancel_for(session: Session, business: RegisteredBusiness, reason: str) -> list[FoodFiling]:
    """A deregistered business's filings are cancelled with it (caller's transaction)."""
    cancelled = list(session.scalars(select(FoodFiling).where(
        FoodFiling.business_id == business.id, FoodFiling.status == "filed")))
    for filing in cancelled:
        filing.status, filing.status_reason = "cancelled", reason
    return cancelled


def as_dict(filing: FoodFiling | None) -> dict | None:
    if filing is None:
        return None
    from plugins.business_license.models import FILING_STATUSES
    return {"id": filing.id, "filing_no": filing.filing_no, "status": filing.status,
            "status_label": FILING_STATUSES[filing.status], "status_reason": filing.status_reason,
            "items": [catalog.FOOD_ITEMS[i][0] for i in filing.items if i in catalog.FOOD_ITEMS],
            "premises": filing.premises, "filed_on": filing.filed_on.isoformat() if filing.filed_on else None,
            "document_id": filing.document_id, "basis": str(law.FOOD_FILING)}
