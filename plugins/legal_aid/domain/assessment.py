"""From an application (form data, materials, applicant) to the facts :func:`assess` needs.

Shared by the check (acceptance and decision), the case pages and the decision actions, so
all of them see exactly the same assessment.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from core.api import InvalidInput, validate_resident_id

from plugins.legal_aid.domain.eligibility import Eligibility, Facts, HouseholdError, age_on, assess, parse_household
from plugins.legal_aid.domain.standards import standard_for

RECEIVED = ("paper", "scan")


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


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


def facts_from(form_data: dict, materials: dict[str, str], applicant, *,
               fallback_day: dt.date) -> Facts:
    data = form_data or {}
    day = _date(data.get("application_date")) or fallback_day
    try:
        members = parse_household(data.get("household") or "")
    except HouseholdError:
        members = ()
    try:
        savings = Decimal(str(data.get("savings") or "0"))
    except InvalidOperation:
        savings = Decimal("0")
    return Facts(
        category=str(data.get("category") or ""), has_agent=bool(data.get("has_agent")),
        application_date=day, members=members, savings=savings,
        status=str(data.get("status") or ""),
        status_proved=materials.get("status_proof") in RECEIVED,
        age=age_on(birth_date_of(applicant), day),
        injury_kind=str(data.get("injury_kind") or ""),
        retrial_ordered=bool(data.get("retrial_ordered")),
        other_basis=str(data.get("other_basis") or ""),
        income_evidence=income_evidence(materials))


def assess_with(session: Session, form_data: dict, materials: dict[str, str], applicant, *,
                fallback_day: dt.date) -> tuple[Facts, Eligibility]:
    facts = facts_from(form_data, materials, applicant, fallback_day=fallback_day)
    standard = standard_for(session, str((form_data or {}).get("area_code") or ""), facts.application_date)
    return facts, assess(facts, standard)


def assess_application(session: Session, app) -> tuple[Facts, Eligibility]:
    from core.api import local_date, material_statuses
    fallback = local_date(app.submitted_at or app.created_at)
    return assess_with(session, app.form_data, material_statuses(app), app.applicant,
                       fallback_day=fallback)
