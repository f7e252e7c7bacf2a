"""Regenerating documents: a new version of a valid document (e.g. after a template change),
one at a time or for a range of issue dates.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.papers.issuance.rendering import _plan, _produce, with_public
from core.papers.issuance.revocation import _actor_key
from core.papers.issuance.storage import _write_stored
from core.papers.issuance.summary import _summary
from core.papers.issuance.superseding import _supersede_previous
from core.papers.issuance.verification import new_verification_code
from core.platform import audit
from core.platform.errors import InvalidState, NotFound
from core.platform.models import Application, Document

#: The package's logger: records keep the name they had before issuance became a package.
log = logging.getLogger(__package__)


def regenerate(quanke, document_id: int, *, actor="system", render_now: bool = True) -> Document:
    """A new version of a valid document (e.g. after a template change): same number and issue
    date, a new verification code, the summary rebuilt; the old version becomes superseded, so
    its verification code says so. Audited.

    All or nothing: the new version is rendered (and sealed) inside the same transaction, so a
    document that cannot be rendered (missing seal, removed plugin, a glyph the font lacks)
    raises and leaves the old version valid. ``render_now=False`` skips rendering (the PDF is
    then produced on first use by :func:`pdf_bytes`).
    """
    with quanke.db.session() as session:
        stmt = select(Document).where(Document.id == document_id)
        if quanke.db.is_postgres:
            stmt = stmt.with_for_update()
        old = session.scalars(stmt).first()
        if old is None:
            raise NotFound("文书不存在", code="document_not_found")
        if old.status != "valid":
            raise InvalidState("只有有效的文书可以重新生成", code="document_not_valid",
                               details={"status": old.status})
        app = session.get(Application, old.application_id)
        if app is None:
            raise NotFound("文书对应的申请不存在", code="application_not_found")
        service = quanke.service(app.service_code) if render_now else quanke.plugins.services.get(
            app.service_code)
        version = old.version + 1
        new = Document(application_id=app.id, kind=old.kind, number=old.number,
                       verification_code=new_verification_code(), status="valid", version=version,
                       issued_at=old.issued_at, issued_by_id=old.issued_by_id,
                       summary=_summary(session, app, old.kind, old.number, old.issued_at,
                                        version, service))
        _supersede_previous(session, new)
        if render_now:
            plan = _plan(quanke, session, new)
            sha256, key = _write_stored(quanke, _produce(quanke, plan))
            new.sha256, new.storage_key, new.signed = sha256, key, plan.sealed
            new.summary = with_public(new.summary, plan.public)
            session.flush()
        audit.record(session, actor=_actor_key(actor), action="regenerate_document",
                     object_type="document", object_id=new.id, application_id=app.id,
                     subject=app.applicant.id_number,
                     data={"kind": new.kind, "number": new.number, "version": version,
                           "supersedes": old.id})
    return new


def _local_midnight(day: dt.date) -> dt.datetime:
    from core.platform.clock import LOCAL_TZ
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)


def documents_in_range(session: Session, start: dt.date, end: dt.date,
                       kind: str | None = None) -> list[int]:
    """Ids of valid documents issued from ``start`` to ``end`` (Beijing dates, inclusive)."""
    stmt = (select(Document.id).where(Document.status == "valid",
                                      Document.issued_at >= _local_midnight(start),
                                      Document.issued_at < _local_midnight(end + dt.timedelta(days=1)))
            .order_by(Document.issued_at, Document.id))
    if kind:
        stmt = stmt.where(Document.kind == kind)
    return list(session.scalars(stmt))


def regenerate_range(quanke, start: dt.date, end: dt.date, *, kind: str | None = None,
                     actor="system", progress: Callable[[int], object] | None = None
                     ) -> Iterator[tuple[int, Document | Exception]]:
    """Regenerate every valid document issued in the range; yields ``(old id, new document or
    the error)`` per document so one failure does not stop the rest."""
    with quanke.db.session() as session:
        ids = documents_in_range(session, start, end, kind)
    for doc_id in ids:
        try:
            result: Document | Exception = regenerate(quanke, doc_id, actor=actor)
        except Exception as exc:  # noqa: BLE001 - reported per document by the caller
            log.exception("regenerating document %s failed", doc_id)
            result = exc
        if progress is not None:
            progress(1)
        yield doc_id, result
