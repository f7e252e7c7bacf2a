"""Signing (电子签名): the commitment text to show, :func:`sign_commitment` (the five steps
listed in :mod:`core.identity.esign`) and the download of the signed letter."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from core import acceptance, credit
from core.identity import settings
from core.identity.esign.pdf import CommitmentFacts, render_commitment_pdf, seal_commitment
from core.identity.esign.signature import normalise_signature
from core.identity.models import FaceCheck, SignedCommitment
from core.identity.sms import check_identity_code
from core.identity.steps import require_own_open_application
from core.identity.verification import EVIDENCE_ROLES, _is_staff
from core.platform import audit
from core.platform.clock import local, now
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.identifiers import mask_id
from core.platform.models import Application, Citizen

DEFAULT_COMMITMENT = ("本人承诺：所填写的申请信息和提交的申请材料真实、准确、完整、有效，"
                      "如有不实，本人愿意承担相应的法律责任。")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def commitment_for(quanke, app_id: int) -> dict:
    """The text to show before signing: ``{"service_name", "text", "sha256"}``. The page
    sends ``sha256`` back with the signature so a text changed meanwhile is noticed."""
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        if app is None:
            raise NotFound("申请不存在", code="application_not_found")
        service = quanke.service(app.service_code)
    text = (service.commitment or DEFAULT_COMMITMENT).strip()
    return {"service_name": service.name, "text": text, "sha256": text_sha256(text)}


def _identity_lines(session, app: Application, phone_masked: str) -> tuple[tuple[str, ...], int | None]:
    check = session.scalar(select(FaceCheck).where(FaceCheck.application_id == app.id,
                                                   FaceCheck.status == "passed")
                           .order_by(FaceCheck.id.desc()).limit(1))
    lines = []
    if check is not None:
        when = f"{local(check.finished_at or check.created_at):%Y-%m-%d %H:%M}"
        how = ("工作人员视频核验通过" if check.review_outcome == "passed"
               else f"比对距离 {check.distance:.3f}（阈值 {check.thresholds.get('match')}）"
               if check.distance is not None else "")
        live = "眨眼活体检测通过" if check.liveness_passed else "未做活体检测"
        lines.append(f"人脸核验通过（核验编号 {check.id}，{how}，{live}，{when}）")
    else:
        lines.append("未进行人脸核验（本事项不要求）")
    lines.append(f"手机短信验证码已验证（{phone_masked}）")
    return tuple(lines), check.id if check is not None else None


def sign_commitment(quanke, citizen: Citizen, app_id: int, *, text_sha256: str, sms_code: str,
                    signature_png: bytes | None = None, typed_name: str | None = None,
                    ip: str = "", at: dt.datetime | None = None) -> dict:
    """Sign the draft's commitment and record the ``esign`` step; returns the signature's
    summary ``{"id", "pdf_sha256", "text_sha256", "signed_at", "commitment_id"}``.

    Exactly one of ``signature_png`` (canvas drawing) and ``typed_name`` (must equal the
    applicant's name). When the service also requires ``face``, the face step must have
    passed first: the letter names the verified identity."""
    s = settings(quanke)
    at = at or now()
    if (signature_png is None) == (typed_name is None):
        raise InvalidInput("请手写签名或输入姓名（二选一）", code="signature_missing", field="signature")
    info = commitment_for(quanke, app_id)
    if (text_sha256 or "").strip().lower() != info["sha256"]:
        raise Conflict("承诺书内容已更新，请重新阅读后签署", code="commitment_changed")
    png = normalise_signature(signature_png, s.esign_max_signature_bytes) if signature_png is not None else None
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        who, service = require_own_open_application(quanke, session, app, citizen, "esign",
                                                    action="签署承诺书",
                                                    not_needed="该事项不需要电子签名",
                                                    needed_for="签署承诺书")
        passed = set(app.identity_passed or [])
        if "esign" in passed:
            raise Conflict("承诺书已签署", code="esign_already_passed")
        if "face" in service.identity and "face" not in passed:
            raise InvalidState("请先完成人脸核验，再签署承诺书", code="face_required_first")
        name = app.applicant.name
        if typed_name is not None and typed_name.strip() != name:
            raise InvalidInput("请输入与证件一致的姓名", code="typed_name_mismatch", field="typed_name")
        application_no, applicant_id, id_number = app.number, app.applicant_id, app.applicant.id_number
    phone_masked = check_identity_code(quanke, citizen, app_id, sms_code, purpose="esign", at=at)
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        lines, face_check_id = _identity_lines(session, app, phone_masked)
    signature_sha = hashlib.sha256(png if png is not None else typed_name.strip().encode()).hexdigest()
    facts = CommitmentFacts(
        title="告知承诺书", service_name=info["service_name"], application_no=application_no,
        applicant_name=name, applicant_id_masked=mask_id(id_number), text=info["text"],
        text_sha256=info["sha256"], signed_at=at, signature_png=png,
        typed_name=(typed_name or "").strip(), signature_sha256=signature_sha, identity_lines=lines,
        platform_name=s.platform_seal_name)
    sealed, sealed_by = seal_commitment(quanke, render_commitment_pdf(facts))
    pdf_sha = hashlib.sha256(sealed).hexdigest()
    with quanke.db.session() as session:
        commitment = credit.sign_commitment(session, applicant_id=applicant_id, service_code=service.code,
                                            text=info["text"], application_id=app_id,
                                            actor=f"citizen:{citizen.id}")
        row = SignedCommitment(application_id=app_id, applicant_id=applicant_id, citizen_id=citizen.id,
                               commitment_id=commitment.id, face_check_id=face_check_id,
                               text_sha256=info["sha256"], method="drawn" if png is not None else "typed",
                               typed_name=(typed_name or "").strip(), signature_sha256=signature_sha,
                               phone_masked=phone_masked, ip=(ip or "")[:64], signed_at=at, pdf=sealed,
                               pdf_sha256=pdf_sha, sealed_by=sealed_by)
        session.add(row)
        session.flush()
        summary = {"id": row.id, "pdf_sha256": pdf_sha, "text_sha256": info["sha256"],
                   "signed_at": at.isoformat(), "commitment_id": commitment.id, "method": row.method}
    acceptance.record_identity_step(quanke, citizen, app_id, "esign",
                                  evidence={"signature_id": summary["id"], "pdf_sha256": pdf_sha,
                                            "text_sha256": info["sha256"], "method": summary["method"],
                                            "commitment_id": commitment.id})
    return summary


def signed_commitment(quanke, actor, app_id: int, *, reason: str = "") -> tuple[bytes, dict]:
    """The latest signed commitment PDF of an application and its summary.

    Its citizen may always download it; staff need an evidence role, and their access is
    audited (``view_personal_data``, the PDF shows the signature)."""
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        if app is None:
            raise NotFound("申请不存在", code="application_not_found")
        staff = _is_staff(session, actor, EVIDENCE_ROLES)
        if staff is None and not (isinstance(actor, Citizen) and app.citizen_id == actor.id):
            raise Forbidden("无权查看承诺书", code="forbidden_role")
        row = session.scalar(select(SignedCommitment).where(SignedCommitment.application_id == app_id)
                             .order_by(SignedCommitment.id.desc()).limit(1))
        if row is None:
            raise NotFound("尚未签署承诺书", code="commitment_not_signed")
        data = bytes(row.pdf)
        summary = {"id": row.id, "pdf_sha256": row.pdf_sha256, "text_sha256": row.text_sha256,
                   "signed_at": row.signed_at.isoformat(), "method": row.method,
                   "commitment_id": row.commitment_id, "sealed_by": row.sealed_by,
                   "face_check_id": row.face_check_id, "phone": row.phone_masked}
        if staff is not None:
            audit.record_view(session, actor=f"user:{staff.id}", object_type="signed_commitment",
                              object_id=row.id, subject=app.applicant.id_number,
                              fields=["signed_commitment"], reason=reason or "查看签署的承诺书",
                              application_id=app_id)
    return data, summary
