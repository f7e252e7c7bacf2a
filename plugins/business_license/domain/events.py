"""Reacting to decisions: ``application_event`` → the register, plus a catch-up job.

The hook gets the event and the runtime after the transition committed. The register is
brought in step right there (a short transaction), a must-not-lose job retries it when that
fails, and :func:`process_decisions` — scheduled — catches up whatever both missed (a
process that died between the commit and the hook). Every step is idempotent.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from core.api import Application, Document
from plugins.business_license.domain import food_filing, lookups
from plugins.business_license.domain.registry import APPROVAL_JOBS, DECIDED
from plugins.business_license.models import (
    BusinessChange,
    FoodPermit,
    RegisteredBusiness,
)

log = logging.getLogger(__name__)


def handle(quanke, event) -> None:
    """Bring the register in step with a decision, right after it committed.

    The work is a short transaction, done here at once so the licence's render job (queued
    by the core right after this hook) finds the credit code; should it fail (or the process
    die first), a must-not-lose job retries it, and :func:`process_decisions` catches up
    anything both missed. Every step is idempotent.
    """
    if event.service_code not in lookups.SERVICES:
        return
    if event.action == "approve" and event.to_state == "approved":
        path, key = APPROVAL_JOBS[event.service_code], f"bl-approved-{event.application_id}"
    elif event.service_code == lookups.REGISTRATION and event.to_state in food_filing.LAPSE_STATES:
        path, key = "plugins.business_license.domain.food_filing.lapse", f"bl-lapse-{event.application_id}"
    elif event.action == "issue":
        path, key = "plugins.business_license.domain.registry.on_issued", f"bl-issued-{event.application_id}"
    else:
        return
    from core.api import resolve_job as resolve
    try:
        resolve(path)(quanke, application_id=event.application_id)
    except Exception:  # noqa: BLE001 - retried as a job; the transition itself stands
        log.exception("%s for %s failed; queued for retry", path, event.application_number)
        quanke.jobs.enqueue(path, must_not_lose=True, job_id=key, application_id=event.application_id)


def process_decisions(quanke, *, limit: int = 500) -> int:
    """Catch-up job: run the registry jobs for decided applications they have not seen yet.

    Returns how many applications were processed. Cheap when there is nothing to do: one
    query per service for decided applications without their register row.
    """
    from plugins.business_license.domain import registry
    done = 0
    with quanke.db.session() as session:
        decided = select(Application.id).where(Application.state.in_(DECIDED))
        pending = {
            lookups.REGISTRATION: decided.where(
                Application.service_code == lookups.REGISTRATION,
                ~select(RegisteredBusiness.id).where(
                    RegisteredBusiness.application_id == Application.id).exists()),
            lookups.CHANGE: decided.where(
                Application.service_code == lookups.CHANGE,
                ~select(BusinessChange.id).where(BusinessChange.application_id == Application.id).exists()),
            lookups.DEREGISTRATION: decided.where(
                Application.service_code == lookups.DEREGISTRATION,
                ~select(BusinessChange.id).where(BusinessChange.application_id == Application.id).exists()),
            lookups.FOOD_PERMIT: decided.where(
                Application.service_code == lookups.FOOD_PERMIT,
                ~select(FoodPermit.id).where(FoodPermit.application_id == Application.id).exists()),
        }
        # Registrations first: a bundled permit needs its licence's business.
        todo = [(code, app_id) for code, stmt in pending.items()
                for app_id in session.scalars(stmt.order_by(Application.decided_at).limit(limit))]
        issued = list(session.scalars(
            select(Application.id).where(Application.service_code.in_((lookups.CHANGE,
                                                                       lookups.DEREGISTRATION)),
                                         Application.state.in_(("issued", "delivered")))
            .where(select(Document.id).where(Document.application_id == Application.id,
                                             Document.kind == "certificate",
                                             Document.status == "valid").exists())
            .where(select(BusinessChange.id).where(BusinessChange.application_id == Application.id,
                                                   BusinessChange.issued_at.is_(None)).exists())
            .limit(limit)))
    from core.api import resolve_job
    jobs = {code: resolve_job(path) for code, path in APPROVAL_JOBS.items()}
    for code, app_id in todo:
        try:
            jobs[code](quanke, application_id=app_id)
            done += 1
        except Exception:  # noqa: BLE001 - one bad application must not stop the rest
            log.exception("processing decided application %s failed", app_id)
    for app_id in issued:
        try:
            registry.on_issued(quanke, application_id=app_id)
            done += 1
        except Exception:  # noqa: BLE001
            log.exception("licence supersession for application %s failed", app_id)
    return done
