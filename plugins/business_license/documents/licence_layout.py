"""The 营业执照 drawn as the national 2019 licence is laid out, on one landscape A4 page.

The core's certificate frame stacks label/value rows on a page; a licence with a long
business scope then runs onto a second page, which a licence never does. The real one has:
the credit code top left, the title (and 副本) in the middle, the QR code top right; two
columns — 名称、类型、经营者、组成形式、经营范围 on the left, 注册日期、经营场所 on the right —
the registering authority, its seal and the date bottom right, and the notices about the
national enterprise credit information system at the foot ("国家市场监督管理总局监制").

The values come from the same ``fields(ctx)`` rows as any certificate (see
:mod:`.documents`); text the font cannot draw is refused as the core refuses it
(``InvalidInput(code="glyph_missing")``) unless ``allow_missing_glyphs=True``.
"""
from __future__ import annotations

import io
from typing import Callable
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from core.api import (
    CertificateContext,
    InvalidInput,
    RenderedPDF,
    cjk_font,
    draw_seal,
    format_date,
)

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#555555")
FRAME = colors.HexColor("#8b1a1a")
SEAL = colors.HexColor("#c0392b")
LEFT_LABELS = ("名称", "类型", "经营者", "组成形式", "经营范围")
RIGHT_LABELS = ("注册日期", "经营场所", "经营者住所")
DEMO_CODE_NOTE = "演示/离线赋码，非赋码系统赋予（GB 32100）"
FOOTER = ("国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
          "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。")


def _spread(label: str) -> str:
    return {2: f"{label[0]}　　{label[1]}", 3: " ".join(label)}.get(len(label), label)


class LicenceLayout:
    """A :class:`core.contract.services.Renderer` for the licence; ``fields`` as CertificateTemplate's."""

    def __init__(self, title: str, fields: Callable[[CertificateContext], list[tuple[str, str]]],
                 subtitle: str = "（副本）"):
        self.title, self.fields, self.subtitle = title, fields, subtitle

    def __repr__(self) -> str:
        return f"LicenceLayout({self.title!r})"

    # -- text the font can draw --------------------------------------------------------------
    def _clean(self, font, text: str, missing: set[str]) -> str:
        out = []
        for char in str(text or ""):
            if char.isspace() or font.has(char):
                out.append(char)
            else:
                missing.add(char)
                out.append("□")
        return "".join(out)

    def __call__(self, ctx: CertificateContext, *, allow_missing_glyphs: bool = False) -> RenderedPDF:
        font = cjk_font()
        missing: set[str] = set()
        rows = {label: self._clean(font, value, missing) for label, value in self.fields(ctx)}
        department = self._clean(font, ctx.department_name or ctx.centre_name, missing)
        if missing and not allow_missing_glyphs:
            raise InvalidInput(f"证照中有字体无法显示的字：{''.join(sorted(missing))}",
                               code="glyph_missing", details={"characters": sorted(missing)})
        buffer = io.BytesIO()
        width, height = landscape(A4)
        c = Canvas(buffer, pagesize=(width, height))
        c.setTitle(f"{self.title} {rows.get('统一社会信用代码', '')}")
        self._frame(c, width, height)
        self._head(c, font.name, width, height, rows, ctx)
        self._columns(c, font.name, height, rows)
        self._authority(c, font, width, department, ctx)
        self._foot(c, font.name, width, ctx)
        c.showPage()
        c.save()
        return RenderedPDF(buffer.getvalue(), missing, 1)

    # -- parts -------------------------------------------------------------------------------
    @staticmethod
    def _frame(c: Canvas, width: float, height: float) -> None:
        c.saveState()
        c.setStrokeColor(FRAME)
        c.setLineWidth(2.2)
        c.rect(9 * mm, 9 * mm, width - 18 * mm, height - 18 * mm)
        c.setLineWidth(0.6)
        c.rect(11.5 * mm, 11.5 * mm, width - 23 * mm, height - 23 * mm)
        c.restoreState()

    def _head(self, c: Canvas, font: str, width: float, height: float, rows: dict, ctx) -> None:
        c.saveState()
        c.setFillColor(INK)
        c.setFont(font, 10)
        c.drawString(22 * mm, height - 26 * mm, "统一社会信用代码")
        c.setFont(font, 13)
        c.drawString(22 * mm, height - 33 * mm, rows.get("统一社会信用代码", ""))
        number = str(ctx.extra.get("certificate_no") or ctx.application_no)
        c.setFont(font, 9)
        c.drawString(22 * mm, height - 39 * mm, f"编号：{number}")
        if ctx.extra.get("credit_code_demo"):
            # A code from the demo/offline generator must not pass for an assigned one.
            c.setFillColor(SEAL)
            c.drawString(22 * mm, height - 44 * mm, DEMO_CODE_NOTE)
            c.setFillColor(INK)
        # Title in faux bold (the font has no bold face), letter-spaced like the printed one.
        size, spacing = 34, 18
        text_width = pdfmetrics.stringWidth(self.title, font, size) + spacing * (len(self.title) - 1)
        c.saveState()  # character spacing and render mode stay with the title only
        t = c.beginText((width - text_width) / 2, height - 40 * mm)
        t.setFont(font, size)
        t.setCharSpace(spacing)
        c.setLineWidth(size * 0.035)
        t.setTextRenderMode(2)
        t.textOut(self.title)
        c.drawText(t)
        c.restoreState()
        c.setFont(font, 13)
        c.drawCentredString(width / 2, height - 49 * mm, self.subtitle)
        # QR code top right: the verification page of this very document.
        size_qr = 28 * mm
        x, y = width - 22 * mm - size_qr, height - 22 * mm - size_qr
        _draw_qr(c, ctx.verification_url, x, y, size_qr)
        c.setFont(font, 7)
        c.setFillColor(GREY)
        c.drawCentredString(x + size_qr / 2, y - 4 * mm, "扫描二维码核验本执照")
        c.drawCentredString(x + size_qr / 2, y - 7.5 * mm, "登记、备案、许可、监管信息")
        c.restoreState()

    @staticmethod
    def _row(c: Canvas, font: str, label: str, value: str, x: float, y: float, label_w: float,
             value_w: float, size: float = 12) -> float:
        """Draw one row at ``y`` (top); returns the height used."""
        c.setFont(font, size)
        c.setFillColor(INK)
        c.drawString(x, y - size, _spread(label))
        style = ParagraphStyle("v", fontName=font, fontSize=size, leading=size * 1.55, wordWrap="CJK",
                               textColor=INK)
        para = Paragraph(escape(value).replace("\n", "<br/>"), style)
        _, used = para.wrapOn(c, value_w, 200 * mm)
        para.drawOn(c, x + label_w, y - used + (style.leading - size) * 0.2)
        return max(used, size * 1.55) + 3.2 * mm

    def _columns(self, c: Canvas, font: str, height: float, rows: dict) -> None:
        top = height - 62 * mm
        y = top
        for label in (label for label in LEFT_LABELS if label in rows):  # a row left out is not drawn
            value = rows[label]
            size = 12 if label != "经营范围" or len(value) < 160 else 10.5
            y -= self._row(c, font, label, value, 24 * mm, y, 27 * mm, 128 * mm, size)
        y = top
        for label in (label for label in RIGHT_LABELS if label in rows):
            # 188 + 27 + 58 mm ends inside the inner frame (A4 landscape 297 mm, frame at 285.5 mm)
            y -= self._row(c, font, label, rows[label], 188 * mm, y, 27 * mm, 58 * mm)

    @staticmethod
    def _authority(c: Canvas, font, width: float, department: str, ctx) -> None:
        """登记机关 and the date under the registering authority's seal (the licence is signed
        with that seal, so it shows it)."""
        cx, cy, radius = width - 58 * mm, 46 * mm, 17 * mm
        c.saveState()
        c.setFillColor(INK)
        c.setFont(font.name, 12)
        c.drawRightString(cx - radius - 4 * mm, cy + 2 * mm, "登记机关")
        c.setFont(font.name, 11 if len(department) <= 10 else 9)
        c.drawCentredString(cx, cy + 1 * mm, department)
        c.setFont(font.name, 11)
        c.drawCentredString(cx, cy - radius - 6 * mm, format_date(ctx.decided_at))
        draw_seal(c, cx, cy, radius, department, font)
        c.restoreState()

    @staticmethod
    def _foot(c: Canvas, font: str, width: float, ctx) -> None:
        c.saveState()
        c.setFillColor(GREY)
        c.setFont(font, 8)
        y = 30 * mm
        for line in FOOTER:
            c.drawString(22 * mm, y, line)
            y -= 4.2 * mm
        c.drawString(22 * mm, y, f"验证码：{ctx.verification_code}　验证网址：{ctx.verification_url}")
        c.setFont(font, 9)
        c.drawCentredString(width / 2, 14.5 * mm, "国家市场监督管理总局监制")
        c.restoreState()


def _draw_qr(c: Canvas, value: str, x: float, y: float, size: float) -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(value)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    module = size / n
    path = c.beginPath()
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                path.rect(x + col * module, y + size - (r + 1) * module, module, module)
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)
