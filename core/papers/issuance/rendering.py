"""Rendering a document from the database state: plan in one short transaction, render and
seal outside it, store content-addressed and record in another; idempotent.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.papers.issuance.kinds import _DECISION_KINDS, CORRECTION_CONSEQUENCE, SEALED_KINDS
from core.papers.issuance.seals import _production, seal_passphrase
from core.papers.issuance.storage import _read_stored, _write_stored
from core.papers.issuance.summary import _department_name
from core.papers.issuance.verification import verification_url
from core.platform.clock import local_date
from core.platform.errors import InvalidInput, InvalidState, NotFound
from core.platform.identifiers import mask_id
from core.platform.models import Application, Decision, Document, MaterialStatus, User

#: The package's logger: records keep the name they had before issuance became a package.
log = logging.getLogger(__package__)


@dataclass
class _Plan:
    """Everything needed to render one document, gathered in a short transaction."""

    make: Callable[[], bytes]
    sealed: bool
    department_code: str
    department_name: str
    sha256: str
    storage_key: str
    #: What the public verification page may add for a certificate: the ``public_fields``
    #: its plugin answered through ``certificate_data`` (a licence's name and credit code).
    public: list = field(default_factory=list)


def _decision(session: Session, doc: Document) -> Decision | None:
    kind = _DECISION_KINDS.get(doc.kind)
    if kind is None:
        return None
    stmt = (select(Decision).where(Decision.application_id == doc.application_id,
                                   Decision.kind == kind)
            .order_by(Decision.at.desc(), Decision.id.desc()))
    found = session.scalars(stmt.where(Decision.at <= doc.issued_at).limit(1)).first()
    return found or session.scalars(stmt.limit(1)).first()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _plan(quanke, session: Session, doc: Document) -> _Plan:
    from core.contract.materials import material_statuses
    from core.contract.services import CertificateContext
    from core.deadlines.explain import due_date_explanation
    from core.papers import documents as pdf

    app = session.get(Application, doc.application_id)
    if app is None:
        raise NotFound("文书对应的申请不存在", code="application_not_found")
    service = quanke.service(app.service_code)
    issuer = session.get(User, doc.issued_by_id) if doc.issued_by_id else None
    if issuer is None and doc.kind == "certificate" and app.decided_by_id:
        issuer = session.get(User, app.decided_by_id)
    centre = app.centre or (issuer.centre if issuer is not None else None)
    department_name = _department_name(session, app.department_code)
    header = pdf.DocumentHeader(
        number=doc.number, issued_at=doc.issued_at, centre_name=centre.name if centre else "",
        staff_name=issuer.name if issuer else "", verification_code=doc.verification_code,
        verification_url=verification_url(quanke, doc.verification_code),
        department_name=department_name)
    applicant = app.applicant
    party = dict(service_name=service.name, applicant_name=applicant.name,
                 applicant_id_masked=mask_id(applicant.id_number))
    decision = _decision(session, doc)
    kind = doc.kind
    public: list = []

    if kind == "receipt":
        how = {MaterialStatus.PAPER.value: "纸质", MaterialStatus.SCAN.value: "电子"}
        materials = []
        for code, status in material_statuses(app).items():
            if status in how:
                try:
                    name = service.material(code).name
                except KeyError:
                    name = code
                materials.append((name, how[status]))
        explanation = due_date_explanation(quanke, session, app)
        lines = [line for line in (explanation.lines() if explanation else [])
                 if not line.startswith("办结期限")]
        collect = service.guide.get("collect") if isinstance(service.guide, dict) else ""
        if app.delivery_method == "courier":
            collect = "办结后邮寄送达" + (f"（{collect}）" if collect else "")
        elif not collect:
            collect = "可凭本回执和身份证件到任一便民服务中心领取"
        make = lambda: pdf.render_receipt(header, **party, materials=materials,  # noqa: E731
                                          due_date=app.due_date, due_explanation=lines,
                                          collect_info=collect)
    elif kind == "correction_notice":
        gaps = [(g.get("name") or g.get("code", ""), g.get("reason") or "未提交")
                for g in (decision.gaps if decision else [])]
        if decision is not None and decision.reasons.strip():
            gaps.append(("其他需补正事项", decision.reasons.strip()))
        deadline = (decision.correction_due if decision and decision.correction_due
                    else local_date(doc.issued_at))
        make = lambda: pdf.render_correction_notice(  # noqa: E731
            header, **party, gaps=gaps, correction_deadline=deadline,
            consequence=CORRECTION_CONSEQUENCE)
    elif kind == "refusal_notice":
        reasons = _lines(decision.reasons if decision else "")
        make = lambda: pdf.render_refusal_notice(header, **party, reasons=reasons)  # noqa: E731
    elif kind in ("decision_approve", "decision_reject"):
        reasons = _lines(decision.reasons if decision else "")
        approved = kind == "decision_approve"
        fields = letter_fields(quanke, session, app, kind)
        make = lambda: pdf.render_decision_letter(header, approved=approved, **party,  # noqa: E731
                                                  reasons=reasons, fields=fields)
    elif kind == "certificate":
        if service.certificate is None:
            raise InvalidState(f"事项“{service.name}”没有证照", code="no_certificate")
        ctx = CertificateContext(
            application_no=app.number, service_code=service.code, service_name=service.name,
            applicant_name=applicant.name, applicant_id_masked=mask_id(applicant.id_number),
            form_data=dict(app.form_data or {}), department_code=app.department_code,
            department_name=department_name, centre_name=header.centre_name,
            decided_at=app.decided_at or doc.issued_at, verification_code=doc.verification_code,
            verification_url=header.verification_url,
            extra={"certificate_no": doc.number, "staff_name": header.staff_name,
                   "document_version": doc.version})
        # The service's plugin adds what only it knows (a credit code, the records found …);
        # an exception here fails the rendering, and the job is retried.
        for extra in quanke.hook.certificate_data(application=app, session=session,
                                                  document_kind="certificate"):
            if extra:
                ctx.extra.update(extra)
        make = lambda: service.certificate(ctx)  # noqa: E731
        public = public_fields(ctx.extra.get("public_fields"))
    else:  # pragma: no cover - KINDS is closed
        raise InvalidInput(f"未知的文书类型 {kind!r}", code="unknown_document_kind")
    return _Plan(make, kind in SEALED_KINDS, app.department_code, department_name,
                 doc.sha256 or "", doc.storage_key or "", public)


def public_fields(raw) -> list[list[str]]:
    """``[(label, value), …]`` a plugin gave for the verification page, as stored on the
    summary: string pairs with a label, at most 8, each value at most 200 characters."""
    out = []
    for pair in raw or ():
        if isinstance(pair, (tuple, list)) and len(pair) == 2 and str(pair[0]).strip():
            out.append([str(pair[0]).strip()[:40], str(pair[1] if pair[1] is not None else "")[:200]])
    return out[:8]


def with_public(summary: dict | None, public: list) -> dict:
    """The summary with the verification page's ``public_fields`` (unchanged without any)."""
    summary = dict(summary or {})
    if public:
        summary["public_fields"] = public
    return summary


def letter_fields(quanke, session: Session, app: Application, kind: str) -> list[tuple[str, str]]:
    """The service's own lines on a decision letter: ``letter_fields`` of the
    ``certificate_data`` answers of the implementations that take ``document_kind`` (older
    ones were written for certificates only and are not asked: they may not expect a
    rejected application). An exception fails the rendering, which is retried."""
    rows: list[tuple[str, str]] = []
    for impl in quanke.hook.certificate_data.get_hookimpls():
        if "document_kind" not in impl.argnames:
            continue
        args = {"application": app, "session": session, "document_kind": kind}
        answer = impl.function(**{k: v for k, v in args.items() if k in impl.argnames})
        pairs = answer.get("letter_fields") if isinstance(answer, dict) else None
        for pair in pairs or ():
            if isinstance(pair, (tuple, list)) and len(pair) == 2 and str(pair[0]).strip():
                rows.append((str(pair[0]), str(pair[1])))
    return rows


def _produce(quanke, plan: _Plan) -> bytes:
    data = bytes(plan.make())
    if plan.sealed:
        from core.papers.seal import department_signer, sign_pdf
        signer = department_signer(quanke.config["SEAL_DIR"], plan.department_code,
                                   seal_passphrase(quanke), production=_production(quanke),
                                   department_name=plan.department_name)
        data = sign_pdf(data, signer, reason="电子印章", location=plan.department_name)
    return data


def render(quanke, document_id: int) -> bytes:
    """The document's PDF: the stored bytes when present, else rendered (and sealed for
    certificates and decision letters), stored content-addressed and recorded on the row.

    The database is read in one short transaction and written in another; rendering and
    sealing happen in between, outside any lock. When two workers render at once the first
    to record wins and the other returns the winner's bytes.
    """
    with quanke.db.session() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound("文书不存在", code="document_not_found")
        stored = _read_stored(quanke, doc.sha256, doc.storage_key)
        if stored is not None:
            return stored
        plan = _plan(quanke, session, doc)
    data = _produce(quanke, plan)
    sha256, key = _write_stored(quanke, data)
    with quanke.db.session() as session:
        result = session.execute(
            update(Document).where(Document.id == document_id, Document.sha256 == plan.sha256)
            .values(sha256=sha256, storage_key=key, signed=plan.sealed))
        if result.rowcount and plan.public:
            doc = session.get(Document, document_id)
            doc.summary = with_public(doc.summary, plan.public)
        if result.rowcount == 0:  # someone else recorded a rendering first
            doc = session.get(Document, document_id)
            winner = _read_stored(quanke, doc.sha256, doc.storage_key) if doc else None
            if winner is not None:
                return winner
    return data


def pdf_bytes(quanke, document_id: int) -> bytes:
    """Stored bytes of a document, rendering it first when needed."""
    return render(quanke, document_id)


class DocumentRenderFailed(Exception):
    """Raised by the render job when a document cannot be drawn, so rq records a failed job
    (counted in ``/metrics`` as ``quanke_jobs{registry="failed"}``) instead of "Job OK"."""


RENDER_FAILED = "render_failed"


def render_failure(doc: Document) -> dict | None:
    """Why the document could not be rendered (``code``, ``codepoints`` such as ``U+20000``,
    ``at``), or None. Code points, not the characters: the summary holds no personal data."""
    failure = (doc.summary or {}).get(RENDER_FAILED)
    return failure if isinstance(failure, dict) and not doc.sha256 else None


def _record_failure(quanke, document_id: int, exc: InvalidInput) -> None:
    """Keep the failure on the document (the approver's page shows it) and in the audit log."""
    from core.platform import audit
    from core.platform.clock import now
    codepoints = [f"U+{ord(c):04X}" for c in (exc.details or {}).get("characters", [])]
    failure = {"code": exc.code, "codepoints": codepoints, "at": now().isoformat()}
    with quanke.db.session() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            return
        doc.summary = {**(doc.summary or {}), RENDER_FAILED: failure}
        audit.record(session, actor="system", action="document_render_failed", object_type="document",
                     object_id=doc.id, application_id=doc.application_id,
                     data={"code": exc.code, "codepoints": codepoints, "kind": doc.kind})


def render_document(quanke, *, document_id: int) -> str:
    """Job (``core.papers.issuance.render_document``): render and store one document; idempotent.

    Returns the sha256 of the stored PDF. Text neither font can draw fails the job
    (:class:`DocumentRenderFailed`): the failure is kept on the document, where the approver's
    page shows it, audited (``document_render_failed``) and counted by ``/metrics``; a later
    render (after a font is installed; opening the document renders it) supersedes it.
    """
    try:
        data = render(quanke, document_id)
    except InvalidInput as exc:
        if exc.code != "glyph_missing":
            raise
        log.error("document %s cannot be rendered: %s", document_id, exc.message)
        _record_failure(quanke, document_id, exc)
        raise DocumentRenderFailed(f"document {document_id}: {exc.message}") from exc
    return hashlib.sha256(data).hexdigest()
