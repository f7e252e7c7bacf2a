"""Running a service's checks (credit, eligibility) and keeping their results as evidence.

Checks run at acceptance and again at decision time; the approver sees what changed.
"""
from __future__ import annotations
import datetime as dt
import logging
from sqlalchemy import insert
from sqlalchemy.orm import Session
from core.platform.clock import now as utcnow
from core.platform.models import (Application, Applicant, CheckEvidence)
from core.contract.services import CheckContext, CheckResult, ServiceDef
log = logging.getLogger(__name__)


def run_checks(quanke, session: Session, service: ServiceDef, applicant: Applicant,
               form_data: dict, materials: dict[str, str], *, phase: str,
               at: dt.datetime | None = None, application: Application | None = None
               ) -> list[tuple[str, str, CheckResult]]:
    """Run the service's checks plus those other plugins add; nothing is written.

    ``application`` gives the checks its id, number, filing and acceptance dates
    (:class:`CheckContext`); at acceptance the acceptance date is ``at``. Returns ``(code, name,
    result)`` triples. A check that raises is reported as a block, since credit review must
    reach a conclusion before acceptance.
    """
    checks = list(service.checks) + quanke.plugins.collect(
        "extra_checks", service=service, applicant=applicant)
    at = at or utcnow()
    ctx = CheckContext(session=session, service=service, applicant=applicant,
                       form_data=form_data, materials=materials, now=at, phase=phase,
                       config=getattr(quanke, "config", None) or {},
                       **_application_fields(application, phase, at))
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


def _application_fields(app: Application | None, phase: str, at: dt.datetime) -> dict:
    if app is None:
        return {}
    return {"application_id": app.id, "application_no": app.number or "",
            "filed_at": app.submitted_at or app.created_at,
            "accepted_at": at if phase == "acceptance" else app.accepted_at}


_INSERT_EVIDENCE = insert(CheckEvidence.__table__)


def store_evidence(session: Session, app: Application, results, phase: str,
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


def _same(ev: CheckEvidence, result: CheckResult) -> bool:
    return (ev.outcome, list(ev.reasons or []), bool(ev.hit), ev.matched, ev.list_version) == (
        result.outcome.value, list(result.reasons), bool(result.hit), result.matched, result.list_version)


def unchanged_since_last(app: Application, results) -> tuple[list, list]:
    """Split ``results`` into (changed, unchanged) against each check's latest stored evidence:
    a re-check that finds what the last one found adds no identical block."""
    last: dict[str, CheckEvidence] = {}
    for ev in sorted(app.evidence, key=lambda e: e.id):
        last[ev.check_code] = ev
    changed, same = [], []
    for code, name, result in results:
        (same if code in last and _same(last[code], result) else changed).append((code, name, result))
    return changed, same


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
