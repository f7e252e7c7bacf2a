"""From an application (form data, materials, applicant, where and when it was received) to
the facts :func:`assess` needs.

Shared by the check (acceptance and decision), the case pages and the decision actions, so
all of them see exactly the same assessment. The day of receipt and the area are the
system's (:mod:`.receipt`); values an applicant typed into old applications
(``application_date``, ``area_code``) are kept in their form data but never used.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from core.api import InvalidInput, material_statuses, validate_resident_id

from plugins.legal_aid.domain.eligibility import Eligibility, Facts, HouseholdError, age_on, assess, parse_household
from plugins.legal_aid.domain.receipt import Area, area_of_centre, received_on
from plugins.legal_aid.domain.standards import standard_for

RECEIVED = ("paper", "scan")
#: What applicants of 0.1 typed and the system no longer takes from them.
LEGACY_FIELDS = ("application_date", "area_code")


def birth_date_of(applicant) -> dt.date | None:
    if getattr(applicant, "birth_date", None):
        return applicant.birth_date
    if getattr(applicant, "kind", "person") != "person":
        return None
    try:
        return validate_resident_id(applicant.id_number).birth_date
    except (InvalidInput, AttributeError):
        return None


def income_evidence(materials: dict[str, str]) -> str | None:
    """Proof of income wins over a commitment when both were given (Art. 41)."""
    if materials.get("income_proof") in RECEIVED:
        return "proof"
    if materials.get("integrity_commitment") in RECEIVED:
        return "commitment"
    return None


def _text(data: dict, key: str) -> str:
    return str(data.get(key) or "")


def facts_from(form_data: dict, materials: dict[str, str], applicant, *, day: dt.date,
               area: Area) -> Facts:
    data = form_data or {}
    try:
        members = parse_household(data.get("household") or "")
    except HouseholdError:
        members = ()
    try:
        savings = Decimal(str(data.get("savings") or "0"))
    except InvalidOperation:
        savings = Decimal("0")
    return Facts(
        category=_text(data, "category"), has_agent=bool(data.get("has_agent")),
        received_on=day, members=members, savings=savings, status=_text(data, "status"),
        status_proved=materials.get("status_proof") in RECEIVED, status_basis=_text(data, "status_basis"),
        age=age_on(birth_date_of(applicant), day), injury_kind=_text(data, "injury_kind"),
        retrial_ordered=bool(data.get("retrial_ordered")), other_basis=_text(data, "other_basis"),
        income_evidence=income_evidence(materials), area_code=area.code, area_source=area.source,
        criminal_reason=_text(data, "criminal_reason"), criminal_reason_note=_text(data, "criminal_reason_note"),
        notifying_organ_kind=_text(data, "notifying_organ_kind"), notifying_organ=_text(data, "notifying_organ"),
        criminal_case_no=_text(data, "criminal_case_no"), notification_ground=_text(data, "notification_ground"))


def assess_with(session: Session, form_data: dict, materials: dict[str, str], applicant, *,
                day: dt.date, area: Area) -> tuple[Facts, Eligibility]:
    facts = facts_from(form_data, materials, applicant, day=day, area=area)
    standard = standard_for(session, area.code, day) if area.code else None
    return facts, assess(facts, standard)


def assess_application(holder, session: Session, app) -> tuple[Facts, Eligibility]:
    """``holder`` is the runtime (or anything with its ``config``): it maps centres to areas."""
    area = area_of_centre(holder, session, app.centre_id)
    return assess_with(session, app.form_data, material_statuses(app), app.applicant,
                       day=received_on(app), area=area)


def legacy_values(form_data: dict) -> dict[str, str]:
    """What an applicant typed under 0.1 (shown, marked as not used)."""
    return {k: str(form_data[k]) for k in LEGACY_FIELDS if (form_data or {}).get(k)}
