"""The result of an archive query application, frozen at decision time.

When an application is approved, :func:`take_result` looks the subject's records up once,
keeps only what the requester may see (public fields; other persons masked, except on a
marriage record, whose certificate names both spouses — see ``store.result_view``), logs that look
against the application (who decided, why: the application and its stated purpose) and
stores it. The certificate is rendered from that stored result, so re-rendering or
regenerating it years later shows what was found then — and never looks again unlogged.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import Application, InvalidState, State, User

from plugins.archive_query.domain.access import log_empty_search, log_looks
from plugins.archive_query.models import QueryResult
from plugins.archive_query.domain.store import records_for_person, result_view

SERVICE_CODE = "archive_query.query"


class ResultNotReady(InvalidState):
    """The certificate is asked for before the result was stored: render again later."""


def _who(session: Session, actor: str):
    kind, _, raw = (actor or "").partition(":")
    if kind == "user" and raw.isascii() and raw.isdigit() and len(raw) <= 9:
        user = session.get(User, int(raw))
        if user is not None:
            return user
    return None  # the system (a rule)


def take_result(quanke, application_id: int, *, actor: str) -> QueryResult | None:
    """Store the records found for an approved query (idempotent); None if not applicable."""
    with quanke.db.session() as session:
        existing = session.scalar(select(QueryResult).where(
            QueryResult.application_id == application_id))
        if existing is not None:
            return existing
        app = session.get(Application, application_id)
        if app is None or app.service_code != SERVICE_CODE or app.state not in (
                State.APPROVED.value, State.ISSUED.value, State.DELIVERED.value):
            return None
        form = app.form_data or {}
        subject, category = form.get("subject_id_number", ""), form.get("category", "")
        records = records_for_person(session, subject, category)
        who = _who(session, actor)
        purpose = f"办理档案查询申请 {app.number}（查询用途：{form.get('purpose', '')}）"
        if records:
            log_looks(session, who=who, records=records, kind="result", channel="certificate",
                      purpose=purpose, application_id=app.id, about=subject)
        else:
            log_empty_search(session, who=who, id_number=subject, category=category,
                             channel="certificate", purpose=purpose, application_id=app.id)
        result = QueryResult(application_id=app.id, category=category, subject_id_number=subject,
                             basis=form.get("basis", ""),
                             records=[result_view(r, subject) for r in records],
                             taken_by=actor or "system")
        session.add(result)
        try:
            session.flush()
        except IntegrityError:  # taken by a concurrent job a moment ago
            session.rollback()
            return session.scalar(select(QueryResult).where(
                QueryResult.application_id == application_id))
        return result


def certificate_data(application, session: Session) -> dict | None:
    """``{"archive_result": {...}}`` for this plugin's certificates (see the hook)."""
    if getattr(application, "service_code", None) != SERVICE_CODE:
        return None
    result = session.scalar(select(QueryResult).where(QueryResult.application_id == application.id))
    if result is None:
        if application.state in (State.ISSUED.value, State.DELIVERED.value):
            # Never render "no record" for a result not yet taken: fail so the render retries.
            raise ResultNotReady("档案查询结果尚未生成，请稍后再生成证明", code="archive_result_not_ready")
        return None
    return {"archive_result": {"category": result.category, "basis": result.basis,
                               "records": list(result.records or []),
                               "taken_at": result.taken_at.isoformat()}}
