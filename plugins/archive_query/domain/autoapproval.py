"""Automatic approval of self-queries with a verified identity (when the bureau switches it on).

A query qualifies when the applicant asks about their own records (basis "self", subject ID
= the applicant's ID) and their identity was verified: in person at a counter (the ID card
original checked, material ``applicant_id`` on paper) or remotely by every identity step the
service requires (face and SMS, recorded with ``core.acceptance.filing.record_identity_step``).
Queries filed by an agent, or about anyone else, always go to an archive approver.

The job runs after acceptance (``application_event`` → :func:`auto_decide` via
``quanke.jobs.enqueue(..., must_not_lose=True)``): it decides through
``core.approval.rules.decide_by_rule`` — so the application shows in the bureau's queue as done by the
rule — stores the result, and issues the certificate as the system. Every step is idempotent,
so a retried job resumes where the last attempt stopped.
"""
from __future__ import annotations

import logging

from core.api import (
    SYSTEM,
    Application,
    InvalidState,
    MaterialStatus,
    State,
    decide_by_rule,
    issue,
    material_statuses,
)

from plugins.archive_query.domain import settings
from plugins.archive_query.domain.results import SERVICE_CODE, take_result

log = logging.getLogger(__name__)

RULE = "区档案馆：本人查询本人档案且身份已核验，自动办结"
REASON = "本人查询本人档案，申请人身份已核验"


def self_query_verified(service, app: Application) -> tuple[bool, str]:
    """(qualifies, why) for the automatic rule; ``why`` explains a "no" in Chinese."""
    form = app.form_data or {}
    if form.get("basis") != "self":
        return False, "非本人查询"
    if app.applicant.kind != "person" or form.get("subject_id_number") != app.applicant.id_number:
        return False, "档案当事人不是申请人本人"
    if app.channel == "counter":
        statuses = material_statuses(app)
        if statuses.get("applicant_id") != MaterialStatus.PAPER.value:
            return False, "窗口未核验申请人身份证原件"
        return True, "窗口已核验申请人身份证原件"
    if app.channel == "remote":
        missing = set(service.identity) - set(app.identity_passed or [])
        if missing:
            return False, f"网上身份核验未完成：{'、'.join(sorted(missing))}"
        return True, f"网上身份核验已完成：{'、'.join(sorted(service.identity))}"
    return False, "代办申请须由档案馆审批人员审核"


def auto_decide(quanke, *, application_id: int) -> str:
    """Job: decide, record the result and issue, if the switch is on and the query qualifies."""
    service = quanke.service(SERVICE_CODE)
    with quanke.db.session() as session:
        app = session.get(Application, application_id)
        if app is None or app.service_code != SERVICE_CODE:
            return "not_archive_query"
        state, decided_by = app.state, app.decided_by_id
        if state == State.ACCEPTED.value:
            if not settings.read(session).auto_approve_self:
                return "switch_off"
            ok, why = self_query_verified(service, app)
            if not ok:
                log.info("archive query %s left to an approver: %s", app.number, why)
                return "not_eligible"
        elif not (state == State.APPROVED.value and decided_by is None):
            return "nothing_to_do"  # claimed by an approver, decided by one, or already issued
    if state == State.ACCEPTED.value:
        try:
            decide_by_rule(quanke, application_id, approve=True, rule=RULE, reasons=REASON)
        except InvalidState:
            return "taken"  # an approver claimed it in the meantime: theirs now
    take_result(quanke, application_id, actor="system")
    issue(quanke, SYSTEM, application_id)
    return "approved"


def record_result(quanke, *, application_id: int, actor: str) -> str:
    """Job: store the result of an approved query (after an approver's decision)."""
    return "stored" if take_result(quanke, application_id, actor=actor) is not None else "skipped"


def sweep(quanke, *, limit: int = 1000) -> int:
    """Scheduled catch-up: what no job did yet (a lost job, or the switch turned on later).

    * accepted self-queries, when the switch is on → :func:`auto_decide`;
    * approved by the rule but not issued (a job that stopped half-way) → resumed;
    * approved by an approver without a stored result → :func:`record_result`.
    Returns how many applications it acted on.
    """
    from sqlalchemy import select

    from plugins.archive_query.models import QueryResult
    with quanke.db.session() as session:
        switch_on = settings.read(session).auto_approve_self
        base = select(Application.id).where(Application.service_code == SERVICE_CODE)
        accepted = list(session.scalars(
            base.where(Application.state == State.ACCEPTED.value,
                       Application.channel.in_(("counter", "remote")))
            .order_by(Application.id).limit(limit))) if switch_on else []
        unissued = list(session.scalars(
            base.where(Application.state == State.APPROVED.value,
                       Application.decided_by_id.is_(None)).limit(limit)))
        no_result = list(session.execute(
            select(Application.id, Application.decided_by_id)
            .where(Application.service_code == SERVICE_CODE,
                   Application.state.in_((State.APPROVED.value, State.ISSUED.value,
                                          State.DELIVERED.value)),
                   ~select(QueryResult.id).where(QueryResult.application_id == Application.id)
                   .exists()).limit(limit)))
    done = 0
    for app_id in accepted + unissued:
        try:
            done += auto_decide(quanke, application_id=app_id) == "approved"
        except Exception:  # noqa: BLE001 - one bad application must not stop the rest
            log.exception("automatic approval of archive query %s failed", app_id)
    for app_id, decided_by in no_result:
        try:
            done += record_result(quanke, application_id=app_id,
                                  actor=f"user:{decided_by}" if decided_by else "system") == "stored"
        except Exception:  # noqa: BLE001
            log.exception("storing the result of archive query %s failed", app_id)
    return done
