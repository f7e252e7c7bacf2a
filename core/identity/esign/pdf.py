"""The signed commitment letter as a PDF: what is printed on it, rendering (reportlab, CJK
font) and sealing with the platform seal (PAdES)."""
from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass

from core.identity import settings
from core.platform.clock import local


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
    from reportlab.platypus import Image as RLImage
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.papers.documents import cjk_font

    font = cjk_font(font_path)

    def clean(value) -> str:  # Extension B in a name: drawn with the fallback font
        return "".join(c if font.draws(c) or c in "\n " else "□" for c in str(value or ""))

    def para(value, style) -> Paragraph:
        return Paragraph(font.markup(clean(value)), style)

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
