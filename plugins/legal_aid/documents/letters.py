"""Legal aid's own letters: sealed, numbered, verifiable at ``/verify/<code>`` like the core's.

The core's decision letters are worded for administrative licensing (《行政许可法》), so the
legal-aid decisions have their own letters:

* ``la_refusal``     不予法律援助决定书 — reasons and the right to object (Art. 43, 49);
* ``la_grant``       给予法律援助决定书 — when the centre grants aid after the bureau ordered it
                     to correct a refusal (the ordinary grant letter is the core certificate);
* ``la_termination`` 终止法律援助决定书 (Art. 48, 49);
* ``la_objection``   法律援助异议审查决定书 — the bureau's decision, with the rights of
                     administrative review and litigation when it upholds (Art. 49).

A letter is a :class:`core.platform.models.Document` row written in the decision's transaction
(its number and verification code exist as soon as the decision does), then rendered by the
job :func:`render_letter` (idempotent, retried): the core's certificate frame, the issuing
department's seal, stored where :func:`core.papers.issuance.pdf_bytes` serves it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.api import (
    Application,
    CertificateContext,
    CertificateTemplate,
    CheckEvidence,
    Decision,
    Department,
    Document,
    InvalidInput,
    NotFound,
    User,
    document_pdf,
    documents_dir,
    local_date,
    mask_id,
    mask_name,
    new_verification_code,
    record_audit,
    seal_passphrase,
    verification_url,
)
from core.api import now as utcnow

from plugins.legal_aid.domain.access import BUREAU, CENTRE
from plugins.legal_aid.documents import grant_rows, matter_text
from plugins.legal_aid.domain.law import OBJECTION_RIGHT, REVIEW_RIGHT, TERMINATION_REASONS, cite
from plugins.legal_aid.models import Objection, Termination, UrgentAid

KINDS: dict[str, tuple[str, str, str]] = {  # kind → (title, number suffix, issuing department)
    "la_refusal": ("不予法律援助决定书", "BYFY", CENTRE),
    "la_grant": ("给予法律援助决定书", "GYFY", CENTRE),
    "la_termination": ("终止法律援助决定书", "ZZFY", CENTRE),
    "la_objection": ("法律援助异议审查决定书", "YYJD", BUREAU),
}
CHECK_CODE = "legal_aid.eligibility"
FOOTER = "扫描二维码或访问核验网址可查验本决定书的真伪与效力。"


def _department_name(session: Session, code: str) -> str:
    return session.scalar(select(Department.name).where(Department.code == code)) or code


def record_letter(session: Session, app: Application, kind: str, *, by_id: int | None,
                  service_name: str, at: dt.datetime | None = None) -> Document:
    """The letter's row (number, verification code, masked public summary), in the caller's
    transaction; an earlier valid letter of the same kind for the application is superseded."""
    if kind not in KINDS:
        raise InvalidInput(f"未知的法律援助文书类型 {kind!r}", code="unknown_document_kind")
    title, suffix, department = KINDS[kind]
    at = at or utcnow()
    earlier = session.scalar(select(func.count(Document.id)).where(
        Document.application_id == app.id, Document.kind == kind, Document.version == 1))
    number = f"{app.number}-{suffix}" + (f"{earlier + 1}" if earlier else "")
    previous = list(session.scalars(select(Document).where(
        Document.application_id == app.id, Document.kind == kind, Document.status == "valid")))
    doc = Document(application_id=app.id, kind=kind, number=number,
                   verification_code=new_verification_code(), status="valid", version=1,
                   issued_at=at, issued_by_id=by_id,
                   summary={"kind": kind, "kind_label": title, "number": number, "version": 1,
                            "service_code": app.service_code, "service_name": service_name,
                            "applicant_name": mask_name(app.applicant.name),
                            "applicant_id": mask_id(app.applicant.id_number),
                            "issued_on": local_date(at).isoformat(),
                            "centre": app.centre.name if app.centre else "",
                            "department": _department_name(session, department)})
    session.add(doc)
    session.flush()
    for old in previous:
        replace(old, doc)
    return doc


def replace(old: Document, new: Document) -> None:
    """Mark ``old`` superseded by ``new``; its verification page then names the new letter."""
    old.status = "superseded"
    old.summary = {**(old.summary or {}), "replaced_on": local_date(utcnow()).isoformat(),
                   "replaced_by_number": new.number, "replaced_by_version": new.version}
    if new.supersedes_id is None and old.kind == new.kind:
        new.supersedes_id = old.id


def replace_core_letter(session: Session, app: Application, core_kind: str, new: Document,
                        *, actor: str) -> int:
    """The core's licensing-worded decision letter (准予/不予行政许可决定书) is superseded by the
    legal-aid letter that states the decision under the Legal Aid Law. Returns how many."""
    old_docs = list(session.scalars(select(Document).where(
        Document.application_id == app.id, Document.kind == core_kind, Document.status == "valid")))
    for old in old_docs:
        replace(old, new)
        record_audit(session, actor=actor, action="la_letter_replaced", object_type="document",
                     object_id=old.id, application_id=app.id, subject=app.applicant.id_number,
                     data={"old": old.number, "new": new.number, "new_kind": new.kind,
                           "why": "以《中华人民共和国法律援助法》规定的决定书替代通用的行政许可决定书"})
    return len(old_docs)


def letters_of(session: Session, app_id: int) -> list[Document]:
    return list(session.scalars(select(Document).where(
        Document.application_id == app_id, Document.kind.in_(tuple(KINDS))).order_by(Document.id)))


# -- content ----------------------------------------------------------------------------------

def decision_evidence(session: Session, app_id: int) -> dict | None:
    """The eligibility finding the decision recorded (the core stores it as check evidence)."""
    ev = session.scalars(select(CheckEvidence).where(
        CheckEvidence.application_id == app_id, CheckEvidence.check_code == CHECK_CODE)
        .order_by(CheckEvidence.phase == "decision", CheckEvidence.id)).all()
    if not ev:
        return None
    latest = ev[-1]
    return {**(latest.matched or {}), "phase": latest.phase, "list_version": latest.list_version,
            "queried_at": latest.queried_at.isoformat() if latest.queried_at else None}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1)) if len(items) > 1 else "".join(items)


def _party_rows(app: Application) -> list[tuple[str, str]]:
    return [("申请人", app.applicant.name), ("身份证件号码", mask_id(app.applicant.id_number)),
            ("申请事项", matter_text(app.form_data or {})),
            ("对方当事人", (app.form_data or {}).get("opposing_party", "") or "—")]


def _refusal_rows(session: Session, app: Application, doc: Document) -> list[tuple[str, str]]:
    decision = session.scalars(select(Decision).where(
        Decision.application_id == app.id, Decision.kind == "reject")
        .order_by(Decision.id.desc()).limit(1)).first()
    reasons = _lines(decision.reasons if decision else "")
    rows = _party_rows(app)
    if app.accepted_at:
        rows.append(("受理日期", f"{local_date(app.accepted_at):%Y年%m月%d日}"))
    rows += [("决定", "经审查，你的申请不符合法律援助条件，决定不予法律援助（" + cite("第四十三条第一款") + "）。"),
             ("理由", _numbered(reasons) or "—")]
    urgent = session.scalar(select(UrgentAid).where(UrgentAid.application_id == app.id))
    if urgent is not None:
        rows.append(("先行援助", "本机构依" + cite("第四十四条") + "先行提供的法律援助，自本决定作出之日起终止。"))
    rows.append(("救济途径", OBJECTION_RIGHT))
    return rows


def _termination_rows(session: Session, app: Application, doc: Document) -> list[tuple[str, str]]:
    term = session.scalar(select(Termination).where(Termination.document_id == doc.id))
    if term is None:
        raise NotFound("终止决定不存在", code="termination_not_found")
    rows = _party_rows(app)
    rows[0] = ("受援人", app.applicant.name)
    rows += [("终止理由", TERMINATION_REASONS[term.reason])] + ([("依据", term.basis)] if term.basis else [])
    rows += [("查明事实", term.facts),
             ("发现日期", f"{term.found_on:%Y年%m月%d日}"),
             ("决定", "根据" + cite("第四十八条第一款") + "的规定，决定自本决定作出之日起终止法律援助。")]
    if term.reason == "fraud":
        rows.append(("法律责任", "以欺骗或者其他不正当手段获得法律援助的，由司法行政部门责令支付已实际支出的"
                     "法律援助费用，可以处三千元以下罚款（" + cite("第六十四条") + "）；"
                     + ("该行为已记入信用记录。" if term.credit_record_id else "")))
    elif term.credit_record_id:
        rows.append(("信用记录", "受援人违反个人诚信承诺（" + cite("第四十一条") + "），已记入信用记录。"))
    rows.append(("救济途径", OBJECTION_RIGHT))
    return rows


def _objection_rows(session: Session, app: Application, doc: Document) -> list[tuple[str, str]]:
    obj = session.scalar(select(Objection).where(Objection.document_id == doc.id))
    if obj is None:
        raise NotFound("异议不存在", code="objection_not_found")
    what = "不予法律援助" if obj.against == "refusal" else "终止法律援助"
    rows = [("异议人", app.applicant.name), ("身份证件号码", mask_id(app.applicant.id_number)),
            ("异议事项", f"对法律援助中心作出的{what}决定（申请事项：{matter_text(app.form_data or {})}）提出异议"),
            ("收到异议日期", f"{obj.received_on:%Y年%m月%d日}"),
            ("异议理由", " ".join(obj.grounds.split())[:300])]
    if obj.status == "upheld":
        rows += [("审查决定", f"维持法律援助中心的{what}决定（" + cite("第四十九条第一款") + "）。"),
                 ("理由", _numbered(_lines(obj.decision_reasons))), ("救济途径", REVIEW_RIGHT)]
    else:
        rows += [("审查决定", f"责令法律援助中心改正{what}决定（" + cite("第四十九条第一款") + "）。"),
                 ("理由", _numbered(_lines(obj.decision_reasons))),
                 ("后续", "法律援助中心应当依照本决定改正，并将改正结果书面告知你。")]
    return rows


def _grant_rows(session: Session, app: Application, doc: Document) -> list[tuple[str, str]]:
    obj = session.scalars(select(Objection).where(
        Objection.application_id == app.id, Objection.against == "refusal",
        Objection.status == "corrected").order_by(Objection.id.desc()).limit(1)).first()
    note = ""
    if obj is not None and obj.decided_at:
        note = (f"司法行政部门于{local_date(obj.decided_at):%Y年%m月%d日}责令改正不予法律援助决定"
                f"（{cite('第四十九条第一款')}），本机构撤销原决定")
    evidence = decision_evidence(session, app.id) or {}
    # A refusal's findings are not grounds for the corrected grant; the bureau's order is.
    basis = list(evidence.get("reasons", [])) if evidence.get("outcome") == "eligible" else []
    return grant_rows(app.form_data or {}, app.applicant.name, mask_id(app.applicant.id_number),
                      {"legal_aid": {"basis": basis}}, corrected_note=note)


_ROWS = {"la_refusal": _refusal_rows, "la_termination": _termination_rows,
         "la_objection": _objection_rows, "la_grant": _grant_rows}


# -- rendering --------------------------------------------------------------------------------

def _make(quanke, session: Session, doc: Document) -> tuple[bytes, str, str]:
    app = session.get(Application, doc.application_id)
    if app is None:
        raise NotFound("文书对应的申请不存在", code="application_not_found")
    title, _suffix, department = KINDS[doc.kind]
    rows = _ROWS[doc.kind](session, app, doc)
    issuer = session.get(User, doc.issued_by_id) if doc.issued_by_id else None
    department_name = _department_name(session, department)
    service = quanke.service(app.service_code)
    ctx = CertificateContext(
        application_no=app.number, service_code=app.service_code, service_name=service.name,
        applicant_name=app.applicant.name, applicant_id_masked=mask_id(app.applicant.id_number),
        form_data=dict(app.form_data or {}), department_code=department,
        department_name=department_name, centre_name=app.centre.name if app.centre else "",
        decided_at=doc.issued_at, verification_code=doc.verification_code,
        verification_url=verification_url(quanke, doc.verification_code),
        extra={"certificate_no": doc.number, "staff_name": issuer.name if issuer else ""})
    template = CertificateTemplate(title, lambda _ctx: rows, footer_note=FOOTER)
    return bytes(template(ctx)), department, department_name


def _seal(quanke, data: bytes, department: str, department_name: str) -> bytes:
    from core.api import department_signer, sign_pdf
    production = str(quanke.config.get("ENV", "development")).lower() == "production"
    signer = department_signer(quanke.config["SEAL_DIR"], department, seal_passphrase(quanke),
                               production=production, department_name=department_name)
    return sign_pdf(data, signer, reason="电子印章", location=department_name)


def _store(quanke, data: bytes) -> tuple[str, str]:
    # The layout core.papers.issuance reads (<documents>/<sha[:2]>/<sha>.pdf), so pdf_bytes serves it.
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
    """Job: render, seal and store one letter; returns its sha256. Idempotent."""
    with quanke.db.session() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.kind not in KINDS:
            raise NotFound("法律援助文书不存在", code="document_not_found")
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
    quanke.jobs.enqueue("plugins.legal_aid.documents.letters.render_letter", must_not_lose=True,
                        job_id=f"la-render-{document_id}", document_id=document_id)


def letter_pdf(quanke, document_id: int) -> bytes:
    render_letter(quanke, document_id=document_id)
    return document_pdf(quanke, document_id)
