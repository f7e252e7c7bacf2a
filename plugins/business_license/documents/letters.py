"""The plugin's own documents: sealed, numbered, verifiable at ``/verify/<code>`` like the core's.

The core's document kinds are those of an application's licensing steps (receipt, notices,
decision letters, certificate). What follows here is not one of them, so each has a kind of
its own, owned and rendered by this plugin:

* ``bl_food_filing``  食品经营备案凭证 — selling only prepackaged food is filed, not licensed
  (食品安全法第三十五条);
* the letters of verifying a commitment after issuing (:mod:`.commitment_letters`).

A document is a :class:`core.api.Document` row written in the transaction of the step it
records (its number and verification code exist as soon as the step does), then rendered by
the job :func:`render_letter` (idempotent, retried): the core's certificate frame, sealed with
the issuing department's seal and stored where :func:`core.api.document_pdf` finds it, so the
core's download and verification pages serve it unchanged.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.api import (
    Application,
    CertificateContext,
    CertificateTemplate,
    Department,
    Document,
    InvalidInput,
    NotFound,
    User,
    department_signer,
    document_pdf,
    documents_dir,
    local_date,
    mask_id,
    mask_name,
    new_verification_code,
    seal_passphrase,
    sign_pdf,
    verification_url,
)
from core.api import now as utcnow

FOOTER = "扫描二维码或访问核验网址可查验本文书的真伪与效力。"


@dataclass(frozen=True)
class LetterKind:
    title: str
    suffix: str                                              # of the document number
    rows: Callable[[Session, Application, Document], list[tuple[str, str]]]
    footer: str = FOOTER


#: kind → its title, number suffix and content; filled by the modules that define them.
KINDS: dict[str, LetterKind] = {}


def kind(code: str, title: str, suffix: str, footer: str = FOOTER):
    """Register a document kind whose rows ``fn(session, app, doc)`` returns."""
    def register(fn):
        KINDS[code] = LetterKind(title, suffix, fn, footer)
        return fn
    return register


def _department_name(session: Session, code: str) -> str:
    return session.scalar(select(Department.name).where(Department.code == code)) or code


def record_letter(session: Session, app: Application, code: str, *, department: str,
                  by_id: int | None, service_name: str, at: dt.datetime | None = None) -> Document:
    """The document's row (number, verification code, masked public summary) in the caller's
    transaction. ``department`` issues and seals it."""
    if code not in KINDS:
        raise InvalidInput(f"未知的文书类型 {code!r}", code="unknown_document_kind")
    letter = KINDS[code]
    at = at or utcnow()
    earlier = session.scalar(select(func.count(Document.id)).where(
        Document.application_id == app.id, Document.kind == code))
    number = f"{app.number}-{letter.suffix}" + (f"{earlier + 1}" if earlier else "")
    doc = Document(application_id=app.id, kind=code, number=number,
                   verification_code=new_verification_code(), status="valid", version=1,
                   issued_at=at, issued_by_id=by_id,
                   summary={"kind": code, "kind_label": letter.title, "number": number, "version": 1,
                            "service_code": app.service_code, "service_name": service_name,
                            "applicant_name": mask_name(app.applicant.name),
                            "applicant_id": mask_id(app.applicant.id_number),
                            "issued_on": local_date(at).isoformat(),
                            "centre": app.centre.name if app.centre else "",
                            "department": _department_name(session, department),
                            "department_code": department})
    session.add(doc)
    session.flush()
    return doc


def _make(quanke, session: Session, doc: Document) -> tuple[bytes, str, str]:
    app = session.get(Application, doc.application_id)
    if app is None:
        raise NotFound("文书对应的申请不存在", code="application_not_found")
    letter = KINDS[doc.kind]
    department = (doc.summary or {}).get("department_code") or app.department_code
    department_name = _department_name(session, department)
    issuer = session.get(User, doc.issued_by_id) if doc.issued_by_id else None
    rows = letter.rows(session, app, doc)
    ctx = CertificateContext(
        application_no=app.number, service_code=app.service_code,
        service_name=quanke.service(app.service_code).name, applicant_name=app.applicant.name,
        applicant_id_masked=mask_id(app.applicant.id_number), form_data=dict(app.form_data or {}),
        department_code=department, department_name=department_name,
        centre_name=app.centre.name if app.centre else "", decided_at=doc.issued_at,
        verification_code=doc.verification_code,
        verification_url=verification_url(quanke, doc.verification_code),
        extra={"certificate_no": doc.number, "staff_name": issuer.name if issuer else ""})
    template = CertificateTemplate(letter.title, lambda _ctx: rows, footer_note=letter.footer)
    return bytes(template(ctx)), department, department_name


def _seal(quanke, data: bytes, department: str, department_name: str) -> bytes:
    production = str(quanke.config.get("ENV", "development")).lower() == "production"
    signer = department_signer(quanke.config["SEAL_DIR"], department, seal_passphrase(quanke),
                               production=production, department_name=department_name)
    return sign_pdf(data, signer, reason="电子印章", location=department_name)


def _store(quanke, data: bytes) -> tuple[str, str]:
    # The layout the core reads (<documents>/<sha[:2]>/<sha>.pdf), so document_pdf serves it.
    sha256 = hashlib.sha256(data).hexdigest()
    key = f"{sha256[:2]}/{sha256}.pdf"
    path = documents_dir(quanke) / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return sha256, key


def render_letter(quanke, *, document_id: int) -> str:
    """Job: render, seal and store one document; returns its sha256. Idempotent."""
    with quanke.db.session() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.kind not in KINDS:
            raise NotFound("文书不存在", code="document_not_found")
        if doc.sha256 and (documents_dir(quanke) / doc.storage_key).exists():
            return doc.sha256
        data, department, department_name = _make(quanke, session, doc)
    data = _seal(quanke, data, department, department_name)
    sha256, key = _store(quanke, data)
    with quanke.db.session() as session:
        session.execute(update(Document).where(Document.id == document_id)
                        .values(sha256=sha256, storage_key=key, signed=True))
    return sha256


def enqueue_render(quanke, document_id: int) -> None:
    quanke.jobs.enqueue("plugins.business_license.documents.letters.render_letter", must_not_lose=True,
                        job_id=f"bl-render-{document_id}", document_id=document_id)


def letter_pdf(quanke, document_id: int) -> bytes:
    render_letter(quanke, document_id=document_id)
    return document_pdf(quanke, document_id)


def letters_of(session: Session, app_id: int) -> list[Document]:
    return list(session.scalars(select(Document).where(
        Document.application_id == app_id, Document.kind.in_(tuple(KINDS))).order_by(Document.id)))


# The kinds register themselves when their modules load (they import ``kind`` from here).
from plugins.business_license.documents import commitment_letters, filing_receipt  # noqa: E402,F401
