"""Issuing documents for applications: records, rendering, sealing, storage, revocation.

:mod:`core.papers.documents` turns plain data into PDF bytes and :mod:`core.papers.seal` signs them; this
module connects both to the database:

* :func:`record_document` creates the :class:`~core.platform.models.Document` row inside a workflow
  transaction (number, unguessable verification code, masked public summary). A new document
  of a kind the application already holds supersedes the old one.
* :func:`render` builds the PDF from the database state, seals certificates and decision
  letters with the issuing department's seal and stores the bytes content-addressed under
  ``<INSTANCE_PATH>/documents``. It is idempotent (the stored bytes come back when present),
  so the job :func:`render_document` may be retried freely.
* :func:`revoke`, :func:`regenerate` and :func:`supersede` change a document's standing; the public page
  ``/verify/<code>`` (:mod:`web.verify`) reads it through :func:`lookup`.

The summary stored on a document is what the public verification page shows, so it holds
only masked data (``张**``, ``3201**********1234``) and never the application's form data.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from core.platform import audit
from core.platform.clock import local, local_date, now as utcnow
from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.identifiers import mask_id, mask_name
from core.platform.models import (Application, Centre, Decision, Delivery, Department, Document, MaterialStatus, Role, User)

log = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "SEALED_KINDS",
    "record_document",
    "documents_for",
    "note_delivery",
    "supersede",
    "render",
    "pdf_bytes",
    "render_document",
    "revoke",
    "regenerate",
    "documents_in_range",
    "check_seals",
    "lookup",
    "Verification",
    "normalise_code",
    "verification_url",
]

#: Document kinds and their Chinese labels.
KINDS: dict[str, str] = {
    "receipt": "受理回执",
    "correction_notice": "一次性补正告知书",
    "refusal_notice": "不予受理通知书",
    "decision_approve": "准予行政许可决定书",
    "decision_reject": "不予行政许可决定书",
    "certificate": "证照",
}
#: Kinds that carry the issuing department's electronic seal.
SEALED_KINDS = frozenset({"decision_approve", "decision_reject", "certificate"})
#: Suffix of the document number per kind (the receipt uses the 受理编号 itself).
_NUMBER_CODES = {"correction_notice": "BZ", "refusal_notice": "BSL", "decision_approve": "ZY",
                 "decision_reject": "BY", "certificate": "ZZ"}
#: The Decision row each kind is written from.
_DECISION_KINDS = {"correction_notice": "return", "refusal_notice": "refuse",
                   "decision_approve": "approve", "decision_reject": "reject"}

CODE_LENGTH = 16  # base32 characters: 80 random bits
_CODE_RE = re.compile(r"^[A-Z2-7]{16}$")
#: Looked up instead of a malformed code, so every request costs the same single query.
#: '0' and '1' are not base32 digits: no real code can ever equal it.
_DUMMY_CODE = "0" * CODE_LENGTH

CORRECTION_CONSEQUENCE = "逾期未补正的，视为放弃本次申请；您仍可重新提出申请。"
DELIVERY_LABELS = {"pickup": "窗口领取", "courier": "邮寄送达"}


# --------------------------------------------------------------------------- codes and numbers


def new_verification_code() -> str:
    """16 characters of base32 (A–Z, 2–7) from :mod:`secrets`: 80 bits, not guessable."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def normalise_code(raw: str | None) -> str | None:
    """A code as typed or scanned (any case, with spaces or dashes) → canonical, or None when
    it cannot be a verification code at all."""
    value = re.sub(r"[\s-]", "", str(raw or "")).upper()
    return value if _CODE_RE.match(value) else None


def verification_url(quanke, code: str) -> str:
    return f"{str(quanke.config.get('BASE_URL') or '').rstrip('/')}/verify/{code}"


def _number(session: Session, app: Application, kind: str) -> str:
    if kind == "receipt" and app.receipt_no:
        return app.receipt_no
    base = f"{app.number}-{_NUMBER_CODES.get(kind, 'WS')}"
    earlier = session.scalar(select(func.count(Document.id)).where(
        Document.application_id == app.id, Document.kind == kind, Document.version == 1))
    return base if not earlier else f"{base}{earlier + 1}"


# --------------------------------------------------------------------------- summaries


def _department_name(session: Session, code: str) -> str:
    name = session.scalar(select(Department.name).where(Department.code == code))
    return name or code


def _kind_label(kind: str, service=None, app: Application | None = None,
                session: Session | None = None) -> str:
    """The document's own title. A certificate renderer that issues different documents
    (档案查询结果证明 or 无档案记录证明) names this application's with ``title_for(app, session)``."""
    if kind == "certificate" and service is not None:
        title_for = getattr(service.certificate, "title_for", None)
        title = title_for(app, session) if title_for is not None and app is not None else None
        title = title or getattr(service.certificate, "title", None)
        if title:
            return str(title)
    return KINDS[kind]


def _delivery_summary(session: Session, app_id: int) -> dict | None:
    """The latest delivery in masked form (no ID number; recipient and tracking number masked)."""
    delivery = session.scalars(select(Delivery).where(Delivery.application_id == app_id)
                               .order_by(Delivery.at.desc(), Delivery.id.desc()).limit(1)).first()
    if delivery is None:
        return None
    out = {"method": delivery.method, "method_label": DELIVERY_LABELS.get(delivery.method, delivery.method),
           "on": local_date(delivery.at).isoformat(), "recipient": mask_name(delivery.recipient_name)}
    if delivery.method == "pickup":
        centre = session.get(Centre, delivery.centre_id) if delivery.centre_id else None
        out["centre"] = centre.name if centre else ""
        out["identity_checked"] = bool(delivery.identity_checked)
    else:
        out["tracking_no"] = mask_id(delivery.tracking_no)
    return out


def _summary(session: Session, app: Application, kind: str, number: str, issued_at: dt.datetime,
             version: int, service=None, *, department_name: str | None = None) -> dict:
    """The public, masked summary shown on ``/verify/<code>``."""
    applicant = app.applicant
    centre = app.centre
    summary = {
        "kind": kind,
        "kind_label": _kind_label(kind, service, app, session),
        "number": number,
        "version": version,
        "service_code": app.service_code,
        "service_name": service.name if service is not None else app.service_code,
        "applicant_name": mask_name(applicant.name),
        "applicant_id": mask_id(applicant.id_number),
        "issued_on": local_date(issued_at).isoformat(),
        "centre": centre.name if centre is not None else "",
        "department": department_name or _department_name(session, app.department_code),
    }
    if kind == "certificate":
        delivery = _delivery_summary(session, app.id)
        if delivery:
            summary["delivery"] = delivery
    return summary


# --------------------------------------------------------------------------- recording


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


def documents_for(session: Session, app_id: int) -> list[Document]:
    """Every document of an application, oldest first, including superseded and revoked ones."""
    return list(session.scalars(select(Document).where(Document.application_id == app_id)
                                .order_by(Document.issued_at, Document.id)))


def note_delivery(session: Session, app: Application) -> None:
    """Put the (masked) delivery on the valid certificate's summary, in the caller's transaction."""
    session.flush()
    delivery = _delivery_summary(session, app.id)
    if delivery is None:
        return
    for doc in session.scalars(select(Document).where(
            Document.application_id == app.id, Document.kind == "certificate",
            Document.status == "valid")):
        doc.summary = {**(doc.summary or {}), "delivery": delivery}


# --------------------------------------------------------------------------- rendering


def documents_dir(quanke) -> Path:
    return Path(quanke.config["INSTANCE_PATH"]) / "documents"


def _storage_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}.pdf"


def _read_stored(quanke, sha256: str, storage_key: str) -> bytes | None:
    """The stored bytes when present and intact; None otherwise (then the caller renders)."""
    if not sha256 or not storage_key:
        return None
    path = documents_dir(quanke) / storage_key
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.warning("stored document %s is missing; rendering it again", storage_key)
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        log.error("stored document %s does not match its sha256; rendering it again", storage_key)
        return None
    return data


def _write_stored(quanke, data: bytes) -> tuple[str, str]:
    sha256 = hashlib.sha256(data).hexdigest()
    key = _storage_key(sha256)
    path = documents_dir(quanke) / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return sha256, key


@dataclass
class _Plan:
    """Everything needed to render one document, gathered in a short transaction."""

    make: Callable[[], bytes]
    sealed: bool
    department_code: str
    department_name: str
    sha256: str
    storage_key: str


def _production(quanke) -> bool:
    return str(quanke.config.get("ENV", "development")).lower() == "production"


def seal_passphrase(quanke) -> bytes:
    """The PKCS#12 passphrase: config ``SEAL_PASSPHRASE``, else ``$QUANKE_SEAL_PASSPHRASE``
    (the variable ``quanke seal init`` reads), else the development default."""
    from core.papers.seal import DEFAULT_PASSPHRASE
    value = quanke.config.get("SEAL_PASSPHRASE") or os.environ.get("QUANKE_SEAL_PASSPHRASE")
    if not value:
        return DEFAULT_PASSPHRASE
    return value.encode() if isinstance(value, str) else value


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
    from core.papers import documents as pdf
    from core.contract.services import CertificateContext
    from core.deadlines.explain import due_date_explanation
    from core.contract.materials import material_statuses

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
        make = lambda: pdf.render_decision_letter(header, approved=approved, **party,  # noqa: E731
                                                  reasons=reasons)
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
        for extra in quanke.hook.certificate_data(application=app, session=session):
            if extra:
                ctx.extra.update(extra)
        make = lambda: service.certificate(ctx)  # noqa: E731
    else:  # pragma: no cover - KINDS is closed
        raise InvalidInput(f"未知的文书类型 {kind!r}", code="unknown_document_kind")
    return _Plan(make, kind in SEALED_KINDS, app.department_code, department_name,
                 doc.sha256 or "", doc.storage_key or "")


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
        if result.rowcount == 0:  # someone else recorded a rendering first
            doc = session.get(Document, document_id)
            winner = _read_stored(quanke, doc.sha256, doc.storage_key) if doc else None
            if winner is not None:
                return winner
    return data


def pdf_bytes(quanke, document_id: int) -> bytes:
    """Stored bytes of a document, rendering it first when needed."""
    return render(quanke, document_id)


def render_document(quanke, *, document_id: int) -> str:
    """Job (``core.papers.issuance.render_document``): render and store one document; idempotent.

    Returns the sha256 of the stored PDF. Text the font cannot draw is not retried (it never
    gets better by waiting): it is logged and reported as ``"glyph_missing"``.
    """
    try:
        data = render(quanke, document_id)
    except InvalidInput as exc:
        if exc.code != "glyph_missing":
            raise
        log.error("document %s cannot be rendered: %s", document_id, exc.message)
        return "glyph_missing"
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- revoke / regenerate


def _actor_key(actor) -> str:
    from core.platform.actors import actor_key
    return actor if isinstance(actor, str) else actor_key(actor)


def _may_revoke(session: Session, actor, app: Application | None, finding: bool = False) -> User:
    user = session.get(User, actor.id) if isinstance(actor, User) else None
    if user is None or not user.active:
        raise Forbidden("只有工作人员可以撤销文书", code="forbidden_role")
    if user.has_role(Role.SYS_ADMIN) or user.has_role(Role.CENTRE_ADMIN):
        return user
    if app is not None and user.has_role(Role.DEPT_LEAD, app.department_code):
        return user
    if finding and app is not None and user.has_role(Role.INSPECTOR, app.department_code):
        return user
    raise Forbidden("只有审批部门负责人或中心、系统管理员可以撤销文书", code="forbidden_role")


def revoke(quanke, actor, document_id: int, reason: str, *, finding: bool = False) -> Document:
    """Revoke (撤销) a valid document with a reason; audited. Its verification page then says
    revoked, with the date. Allowed to the department lead of the application's department,
    centre and system administrators; with ``finding=True`` (the revocation follows an
    inspection finding, e.g. a notification commitment found broken: 核查不实) also to an
    inspector of that department, who recorded the finding."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写撤销理由", code="reasons_required", field="reason")
    if len(reason) > 2000:
        raise InvalidInput("撤销理由过长（最多2000字）", code="reasons_too_long", field="reason")
    with quanke.db.session() as session:
        stmt = select(Document).where(Document.id == document_id)
        if quanke.db.is_postgres:
            stmt = stmt.with_for_update()
        doc = session.scalars(stmt).first()
        if doc is None:
            raise NotFound("文书不存在", code="document_not_found")
        app = session.get(Application, doc.application_id) if doc.application_id else None
        user = _may_revoke(session, actor, app, finding)
        if doc.status != "valid":
            label = {"revoked": "已撤销", "superseded": "已被替换"}.get(doc.status, doc.status)
            raise InvalidState(f"文书{label}，不能撤销", code="document_not_valid",
                               details={"status": doc.status})
        at = utcnow()
        doc.status, doc.revoked_at, doc.revoke_reason = "revoked", at, reason
        session.flush()
        audit.record(session, actor=_actor_key(user), action="revoke_document", object_type="document",
                     object_id=doc.id, application_id=doc.application_id,
                     subject=app.applicant.id_number if app else "",
                     data={"kind": doc.kind, "number": doc.number, "version": doc.version,
                           "reason": reason, **({"finding": True} if finding else {})}, at=at)
    return doc


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


# --------------------------------------------------------------------------- seals at start-up


def check_seals(quanke) -> dict[str, Path]:
    """Start-up check: every department that decides a service has a usable seal.

    Production: a missing PKCS#12 raises :class:`core.papers.seal.SealMissing` naming every
    department concerned (a wrong passphrase raises :class:`core.papers.seal.SealError`).
    Development: missing seals are created with the development CA. Returns ``{code: path}``.
    """
    from core.papers.seal import SealMissing, department_signer

    seal_dir = Path(quanke.config["SEAL_DIR"])
    departments = quanke.plugins.departments
    codes = sorted({service.department for service in quanke.plugins.services.values()})
    production = _production(quanke)
    if production:
        missing = [code for code in codes if not (seal_dir / f"{code}.p12").is_file()]
        if missing:
            names = "、".join(f"{departments.get(c, c)}（{c}）" for c in missing)
            raise SealMissing(
                f"以下部门缺少电子印章证书：{names}。请将 PKCS#12 文件放在 {seal_dir}/<部门编码>.p12 后再启动。",
                code="seal_missing",
                details={"departments": missing, "paths": [str(seal_dir / f"{c}.p12") for c in missing]})
    passphrase = seal_passphrase(quanke)
    for code in codes:
        department_signer(seal_dir, code, passphrase, production=production,
                          department_name=departments.get(code, ""))
    return {code: seal_dir / f"{code}.p12" for code in codes}


# --------------------------------------------------------------------------- public lookup


@dataclass(frozen=True)
class Verification:
    """What the public page may show about a document: status and the masked summary."""

    status: str                      # valid / revoked / superseded
    summary: dict
    verification_code: str
    revoked_on: str | None = None    # ISO date (Beijing)
    issued_at: dt.datetime | None = None

    @property
    def kind_label(self) -> str:
        return str(self.summary.get("kind_label") or KINDS.get(self.summary.get("kind", ""), "文书"))

    def public(self) -> dict:
        """JSON for ``/verify/<code>.json``: only whitelisted, masked fields."""
        s = self.summary
        out = {
            "code": self.verification_code,
            "status": self.status,
            "authentic": True,
            "current": self.status == "valid",
            "document": {k: s.get(k) for k in ("kind", "kind_label", "number", "version", "service_name",
                                               "applicant_name", "applicant_id", "issued_on", "centre",
                                               "department")},
        }
        if self.status == "revoked":
            out["revoked_on"] = self.revoked_on
        if self.status == "superseded":
            out["replaced"] = {"on": s.get("replaced_on"), "by_number": s.get("replaced_by_number"),
                               "by_version": s.get("replaced_by_version")}
        delivery = s.get("delivery")
        if isinstance(delivery, dict):
            out["delivery"] = {k: delivery.get(k) for k in ("method", "method_label", "on", "centre",
                                                            "recipient", "tracking_no", "identity_checked")
                               if k in delivery}
        return out


def lookup(session: Session, raw_code: str | None) -> Verification | None:
    """The document a verification code belongs to, or None.

    Exactly one indexed query whatever the input: a malformed code is looked up as a dummy
    value that can never exist, so response time does not tell malformed from unknown codes.
    """
    code = normalise_code(raw_code)
    row = session.execute(
        select(Document.status, Document.summary, Document.verification_code, Document.revoked_at,
               Document.issued_at)
        .where(Document.verification_code == (code or _DUMMY_CODE))).first()
    if row is None or code is None:
        return None
    status, summary, found_code, revoked_at, issued_at = row
    return Verification(status=status, summary=dict(summary or {}), verification_code=found_code,
                        revoked_on=local(revoked_at).date().isoformat() if revoked_at else None,
                        issued_at=issued_at)
