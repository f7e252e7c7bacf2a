"""Superseding (已被替换): a new document replaces the valid one of the same kind, or one of
another application (:func:`supersede`).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.clock import local_date
from core.platform.clock import now as utcnow
from core.platform.errors import InvalidInput, InvalidState
from core.platform.models import Application, Document


def _supersede_previous(session: Session, doc: Document) -> None:
    previous = session.scalars(select(Document).where(
        Document.application_id == doc.application_id, Document.kind == doc.kind,
        Document.status == "valid").order_by(Document.id)).all()
    session.add(doc)
    session.flush()
    for old in previous:
        _mark_superseded(old, doc)
    if previous:
        doc.supersedes_id = previous[-1].id
        session.flush()


def _mark_superseded(old: Document, new: Document, reason: str = "") -> None:
    # The summary keys the public verification page reads to name the replacement.
    old.status = "superseded"
    old.summary = {**(old.summary or {}), "replaced_on": local_date(utcnow()).isoformat(),
                   "replaced_by_number": new.number, "replaced_by_version": new.version,
                   **({"replaced_reason": reason} if reason else {})}


def supersede(session: Session, old: Document, new: Document, *, reason: str,
              actor: str = "system") -> Document:
    """Mark ``old`` superseded (已被替换) by ``new``, in the caller's transaction; audited.

    For a document replaced by one of *another* application — a business licence replaced
    by the licence of a change registration (变更登记换发), or cancelled with a
    deregistration — which :func:`record_document` cannot know about (it supersedes only
    the same application's previous document of the same kind). ``old``'s verification page
    then says superseded, with the date, the replacement's number and ``reason``.
    Raises :class:`InvalidState` when ``old`` is not valid or ``new`` is not a valid document.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写替换理由", code="reasons_required", field="reason")
    if old.id == new.id or new.status != "valid":
        raise InvalidState("只能由另一份有效文书替换", code="document_not_valid",
                           details={"status": new.status})
    if old.status != "valid":
        label = {"revoked": "已撤销", "superseded": "已被替换"}.get(old.status, old.status)
        raise InvalidState(f"文书{label}，不能再被替换", code="document_not_valid",
                           details={"status": old.status})
    _mark_superseded(old, new, reason)
    session.flush()
    app = session.get(Application, old.application_id) if old.application_id else None
    audit.record(session, actor=actor, action="supersede_document", object_type="document",
                 object_id=old.id, application_id=old.application_id,
                 subject=app.applicant.id_number if app else "",
                 data={"kind": old.kind, "number": old.number, "version": old.version,
                       "by": new.number, "by_document": new.id, "reason": reason})
    return old
