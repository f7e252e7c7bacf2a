"""Recording documents: the Document row written inside the workflow's transaction, and the
queue its render job goes to.
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from core.papers.issuance.kinds import _NUMBER_CODES, KINDS
from core.papers.issuance.summary import _summary
from core.papers.issuance.superseding import _supersede_previous
from core.papers.issuance.verification import new_verification_code
from core.platform.clock import now as utcnow
from core.platform.errors import InvalidInput
from core.platform.models import Application, Document


def _number(session: Session, app: Application, kind: str) -> str:
    if kind == "receipt" and app.receipt_no:
        return app.receipt_no
    base = f"{app.number}-{_NUMBER_CODES.get(kind, 'WS')}"
    earlier = session.scalar(select(func.count(Document.id)).where(
        Document.application_id == app.id, Document.kind == kind, Document.version == 1))
    return base if not earlier else f"{base}{earlier + 1}"


def record_document(session: Session, app: Application, kind: str, *, by_id: int | None,
                    service=None, at: dt.datetime | None = None,
                    department_name: str | None = None,
                    has_valid: bool | None = None) -> Document:
    """Create the Document row for ``app`` in the caller's transaction and return it (written,
    with its id; detached from the session when ``has_valid`` is False).

    ``service`` (the :class:`~core.contract.services.ServiceDef`) gives the names for the summary;
    ``at`` is the issue time (default now). A valid document of the same kind for the same
    application is superseded by the new one. ``department_name`` and ``has_valid`` (whether
    such a valid document exists) save a query each when the caller has read them already.
    """
    if kind not in KINDS:
        raise InvalidInput(f"未知的文书类型 {kind!r}", code="unknown_document_kind", field="kind")
    if department_name is None or has_valid is not False:
        session.flush()  # decisions written just before get their time stamps first
    # (a caller that read both has nothing for the summary to query and nothing to supersede)
    at = at or utcnow()
    number = _number(session, app, kind)
    doc = Document(application_id=app.id, kind=kind, number=number,
                   verification_code=new_verification_code(), status="valid", version=1,
                   issued_at=at, issued_by_id=by_id,
                   summary=_summary(session, app, kind, number, at, 1, service,
                                    department_name=department_name))
    if has_valid is False:
        _insert_detached(session, doc)
    else:
        _supersede_previous(session, doc)
    _remember_kind(doc.id, kind)
    return doc


def valid_exists(app_id, kind: str):
    """SQL expression: ``app_id`` has a valid document of ``kind`` (for :func:`record_document`'s
    ``has_valid``, so a caller can read it within a query it makes anyway)."""
    return select(Document.id).where(Document.application_id == app_id, Document.kind == kind,
                                     Document.status == "valid").exists()


#: Kinds whose rendering goes to the priority queue: what the applicant waits for at the counter.
PRIORITY_KINDS = frozenset({"certificate"})
#: Kind of the documents this process recorded lately, so routing a render job needs no query.
_recent_kinds: "OrderedDict[int, str]" = OrderedDict()


def _remember_kind(document_id: int, kind: str) -> None:
    _recent_kinds[document_id] = kind
    while len(_recent_kinds) > 4096:
        _recent_kinds.popitem(last=False)


def render_queue(quanke, *, document_id: int) -> str:
    """Queue name (:data:`core.jobs.runner.QUEUES`) for the render job of a document this process just
    recorded: certificates on ``documents-high``, everything else on ``default``."""
    kind = _recent_kinds.pop(document_id, None)
    return "documents-high" if kind in PRIORITY_KINDS else "default"


def _insert_detached(session: Session, doc: Document) -> None:
    """Write a document that supersedes nothing with one INSERT, now, and leave the object
    detached with its id: a unit-of-work flush costs several plain statements, and receipts
    are written on every acceptance."""
    table = Document.__table__
    values = {c.key: getattr(doc, c.key) for c in table.columns
              if c.key != "id" and getattr(doc, c.key) is not None}
    doc.id = session.execute(insert(table).returning(table.c.id), values).scalar_one()
    make_transient_to_detached(doc)


def documents_for(session: Session, app_id: int) -> list[Document]:
    """Every document of an application, oldest first, including superseded and revoked ones."""
    return list(session.scalars(select(Document).where(Document.application_id == app_id)
                                .order_by(Document.issued_at, Document.id)))
