"""E-signature on the commitment letter (电子签名 · 告知承诺书).

The applicant reads the service's commitment text (``ServiceDef.commitment``), signs — a
drawing from a canvas (PNG) or their typed name — and confirms with an SMS code sent for
signing. :func:`sign_commitment` then

1. checks the text the page showed is the current text (by its SHA-256),
2. consumes the code (``esign:<application>``, see :mod:`core.identity.sms`),
3. renders the signed commitment PDF: the text, the signature image, the text's SHA-256,
   the time, and the verified identity (the passed face check with its distance and
   liveness, the verified phone),
4. seals it with the platform's electronic seal (:mod:`core.papers.seal`, PAdES),
5. records a :class:`core.credit.Commitment` (告知承诺, to be verified later), keeps the PDF
   and records the ``esign`` step on the draft.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass

from sqlalchemy import select

from core.platform import audit
from core import credit
from core import acceptance
from core.platform.clock import local, now
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.identifiers import mask_id
from core.platform.models import Application, Citizen

from core.identity import settings
from core.identity.models import FaceCheck, SignedCommitment
from core.identity.sms import check_identity_code
from core.identity.steps import require_own_open_application
from core.identity.verification import EVIDENCE_ROLES, _is_staff

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


# --------------------------------------------------------------------------- signature image


def normalise_signature(data: bytes, max_bytes: int) -> bytes:
    """A drawn signature as a clean PNG (on white, no metadata); refuses blank or odd images."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidInput("请先签名", code="signature_missing", field="signature")
    if len(data) > max_bytes:
        raise InvalidInput("签名图片太大", code="signature_too_large", field="signature")
    try:
        im = Image.open(io.BytesIO(data))
        if im.format not in ("PNG", "JPEG", "WEBP"):
            raise InvalidInput("签名必须是图片", code="signature_invalid", field="signature")
        w, h = im.size
        if not (60 <= w <= 2400 and 20 <= h <= 1200):
            raise InvalidInput("签名图片尺寸不合适", code="signature_invalid", field="signature")
        im = im.convert("RGBA")
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InvalidInput("签名图片无法识别", code="signature_invalid", field="signature") from None
    white = Image.new("RGBA", im.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, im).convert("RGB")
    gray = flat.convert("L")
    ink = sum(gray.histogram()[:160]) / (w * h)
    if ink < 0.003:
        raise InvalidInput("签名为空，请在框内签名", code="signature_blank", field="signature")
    if ink > 0.6:
        raise InvalidInput("签名无法辨认，请重新签名", code="signature_invalid", field="signature")
    bbox = gray.point(lambda v: 255 if v < 160 else 0).getbbox()
    if bbox:
        pad = 8
        flat = flat.crop((max(bbox[0] - pad, 0), max(bbox[1] - pad, 0),
                          min(bbox[2] + pad, w), min(bbox[3] + pad, h)))
    out = io.BytesIO()
    flat.save(out, "PNG", optimize=True)
    return out.getvalue()


# --------------------------------------------------------------------------- the PDF


@dataclass(frozen=True)
class CommitmentFacts:
    """Everything printed on the signed commitment (plain data, no database objects)."""

    title: str
    service_name: str
    application_no: str
    applicant_name: str
    applicant_id_masked: str
    text: str
    text_sha256: str
    signed_at: dt.datetime
    signature_png: bytes | None
    typed_name: str
    signature_sha256: str
    identity_lines: tuple[str, ...]
    platform_name: str


def render_commitment_pdf(facts: CommitmentFacts, *, font_path: str | None = None) -> bytes:
    """The commitment letter with signature and evidence, unsealed (reportlab, CJK font)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image as RLImage, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    from core.papers.documents import cjk_font

    font = cjk_font(font_path)

    def clean(value) -> str:
        return "".join(c if font.has(c) or c in "\n " else "□" for c in str(value or ""))

    def para(value, style) -> Paragraph:
        return Paragraph(escape(clean(value)).replace("\n", "<br/>"), style)

    title = ParagraphStyle("t", fontName=font.name, fontSize=22, leading=30, alignment=TA_CENTER)
    sub = ParagraphStyle("s", fontName=font.name, fontSize=12, leading=18, alignment=TA_CENTER,
                         textColor=colors.HexColor("#444444"))
    body = ParagraphStyle("b", fontName=font.name, fontSize=12, leading=21, wordWrap="CJK",
                          firstLineIndent=24)
    head = ParagraphStyle("h", fontName=font.name, fontSize=12.5, leading=20, spaceBefore=6)
    cell = ParagraphStyle("c", fontName=font.name, fontSize=9.5, leading=14, wordWrap="CJK")
    note = ParagraphStyle("n", fontName=font.name, fontSize=8.5, leading=13, wordWrap="CJK",
                          textColor=colors.HexColor("#666666"))
    grid = [("FONTNAME", (0, 0), (-1, -1), font.name), ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]

    def facts_table(rows):
        table = Table([[para(k, cell), para(v, cell)] for k, v in rows], colWidths=[32 * mm, None])
        table.setStyle(TableStyle(grid))
        return table

    signed_local = local(facts.signed_at)
    when = f"{signed_local:%Y年%m月%d日 %H:%M:%S}（北京时间）"
    story = [para(facts.title, title), para(facts.service_name, sub), Spacer(1, 6 * mm),
             facts_table([("承诺人", facts.applicant_name), ("证件号码", facts.applicant_id_masked),
                          ("申请事项", facts.service_name), ("申请编号", facts.application_no)]),
             Spacer(1, 5 * mm), para("承诺内容", head)]
    story += [para(line, body) for line in facts.text.splitlines() if line.strip()]
    story += [Spacer(1, 6 * mm)]
    if facts.signature_png:
        reader = ImageReader(io.BytesIO(facts.signature_png))
        iw, ih = reader.getSize()
        scale = min(70 * mm / iw, 24 * mm / ih)
        signature = RLImage(io.BytesIO(facts.signature_png), width=iw * scale, height=ih * scale)
    else:
        signature = para(facts.typed_name + "（键入姓名签署）",
                         ParagraphStyle("sig", fontName=font.name, fontSize=18, leading=24))
    sign_table = Table([[para("承诺人签名：", head), signature], [para("签署时间：", head), para(when, cell)]],
                       colWidths=[30 * mm, None])
    sign_table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font.name),
                                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [sign_table, Spacer(1, 6 * mm), para("签署信息", head),
              facts_table([("承诺书文本 SHA-256", facts.text_sha256),
                           ("签名 SHA-256", facts.signature_sha256),
                           *[("身份核验", line) for line in facts.identity_lines],
                           ("签署时间", when), ("电子印章", facts.platform_name)]),
              Spacer(1, 4 * mm),
              para(f"本承诺书由{facts.platform_name}加盖电子印章（PAdES 数字签名）。文件的任何改动都会使印章验证失败；"
                   "承诺书文本的 SHA-256 可与办事指南公布的文本核对。", note)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                            topMargin=20 * mm, bottomMargin=18 * mm, title=clean(f"{facts.title} {facts.application_no}"),
                            author=clean(facts.platform_name), subject=clean(facts.service_name),
                            creator="Quanke 全科", initialFontName=font.name, lang="zh-CN")
    doc.build(story)
    return buffer.getvalue()


def _seal_passphrase(quanke) -> bytes:
    from core.papers.seal import DEFAULT_PASSPHRASE
    value = quanke.config.get("SEAL_PASSPHRASE") or os.environ.get("QUANKE_SEAL_PASSPHRASE")
    if not value:
        return DEFAULT_PASSPHRASE
    return value.encode() if isinstance(value, str) else value


def seal_commitment(quanke, pdf: bytes) -> tuple[bytes, str]:
    """Seal with the platform seal (``<SEAL_DIR>/<PLATFORM_SEAL_CODE>.p12``); created in
    development, required in production. Returns the sealed bytes and the seal's name."""
    from core.papers.seal import department_signer, sign_pdf

    s = settings(quanke)
    production = str(quanke.config.get("ENV", "development")).lower() == "production"
    signer = department_signer(quanke.config["SEAL_DIR"], s.platform_seal_code, _seal_passphrase(quanke),
                               production=production, department_name=s.platform_seal_name)
    return sign_pdf(pdf, signer, reason="告知承诺书电子签名（平台签章）"), s.platform_seal_name


# --------------------------------------------------------------------------- signing


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


__all__ = ["DEFAULT_COMMITMENT", "CommitmentFacts", "commitment_for", "normalise_signature",
           "render_commitment_pdf", "seal_commitment", "sign_commitment", "signed_commitment", "text_sha256"]
