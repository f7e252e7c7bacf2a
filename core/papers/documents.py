"""The papers a citizen holds: receipts, notices, decision letters and certificates.

Everything is rendered with reportlab platypus onto A4 with ONE embedded TrueType CJK font
(AR PL UMing, a 宋体-like face; WenQuanYi Zen Hei as fallback). reportlab embeds TrueType
fonts as subsets, so a one-page receipt stays small. The API is plain data in, PDF bytes out:
no database objects. The PDF is unsigned; :mod:`core.papers.seal` applies the electronic seal.

Every document shares one frame (:func:`_build`): title and number on top, the body, the
issuer/date block with the seal area, and a footer on every page with the QR code encoding the
verification URL, the verification code, ``验证网址：<url>`` and ``第 x 页 共 y 页``.

Text the font cannot draw is never dropped silently: rendering raises
``InvalidInput(code="glyph_missing")`` unless ``allow_missing_glyphs=True``, in which case the
characters are drawn as ``□`` and listed in the result's ``.missing_glyphs``.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape as _landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.platform.clock import local
from core.platform.errors import InvalidInput, QuankeError
from core.contract.services import CertificateContext

__all__ = [
    "FONT_ENV",
    "FontMissing",
    "DocumentHeader",
    "RenderedPDF",
    "CertificateTemplate",
    "cjk_font",
    "missing_glyphs",
    "format_date",
    "render_receipt",
    "render_correction_notice",
    "render_refusal_notice",
    "render_decision_letter",
]

FONT_ENV = "QUANKE_CJK_FONT"
#: TrueType CJK fonts tried in order: (path, subfont index). Index 0 of uming.ttc is "AR PL UMing CN".
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
REPLACEMENT_CHAR = "□"
RIGHTS_NOTICE = "可在收到本{doc}之日起60日内申请行政复议，或者在6个月内依法提起行政诉讼。"

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#666666")
LINE = colors.HexColor("#999999")
SEAL_RED = colors.HexColor("#c0392b")


#: Chinese full-width punctuation reportlab's CJK line breaker does not know must not start a line.
_CANNOT_START_LINE_ZH = "，；：！？》〉”’…"


def _teach_reportlab_chinese_punctuation() -> None:
    """reportlab's kinsoku list is Japanese-centred (it lacks ，；：！？》”); add the Chinese ones so
    a line never starts with them (the character hangs at the end of the previous line instead)."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    extra = "".join(c for c in _CANNOT_START_LINE_ZH if c not in textsplit.ALL_CANNOT_START)
    if extra:
        textsplit.ALL_CANNOT_START += extra
        paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START


_teach_reportlab_chinese_punctuation()


class FontMissing(QuankeError):
    """No usable CJK TrueType font: a deployment problem, not the user's."""

    code = "font_missing"
    http_status = 500


# --------------------------------------------------------------------------- font


@dataclass(frozen=True)
class CJKFont:
    """A registered reportlab font and the code points it can draw."""

    name: str
    path: str
    subfont_index: int
    codepoints: frozenset[int]

    def has(self, char: str) -> bool:
        return ord(char) in self.codepoints


def cjk_font(path: str | None = None) -> CJKFont:
    """The CJK font to use: ``path`` if given, else ``$QUANKE_CJK_FONT``, else AR PL UMing,
    else WenQuanYi Zen Hei. Registered with reportlab once per path (cached)."""
    path = path or os.environ.get(FONT_ENV) or None
    if path:
        if not os.path.isfile(path):
            raise FontMissing(f"找不到字体文件 {path}（由参数或环境变量 {FONT_ENV} 指定）", code="font_missing")
        return _load_font(path, 0)
    for candidate, index in FONT_CANDIDATES:
        if os.path.isfile(candidate):
            return _load_font(candidate, index)
    raise FontMissing(
        "未找到中文 TrueType 字体。请安装 Debian 软件包 fonts-arphic-uming"
        "（apt-get install fonts-arphic-uming），或设置环境变量 "
        f"{FONT_ENV} 指向一个 TrueType 中文字体文件（.ttf/.ttc）。",
        code="font_missing",
    )


@functools.lru_cache(maxsize=8)
def _load_font(path: str, index: int) -> CJKFont:
    name = "QuankeCJK-" + hashlib.sha1(f"{path}#{index}".encode()).hexdigest()[:8]
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError) as exc:
        raise FontMissing(
            f"字体 {path} 无法使用：{exc}。reportlab 只支持 TrueType 轮廓的字体（不支持 CFF/OpenType，"
            "例如 Noto CJK）；请安装 fonts-arphic-uming。",
            code="font_missing",
        ) from exc
    pdfmetrics.registerFont(font)
    return CJKFont(name, path, index, frozenset(font.face.charToGlyph))


def _needs_glyph(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf"))


def missing_glyphs(text: str, *, font_path: str | None = None) -> set[str]:
    """The characters of ``text`` the CJK font has no glyph for (whitespace and control
    characters are ignored: they are not drawn)."""
    font = cjk_font(font_path)
    return {c for c in text or "" if _needs_glyph(c) and not font.has(c)}


def format_date(value: dt.date | dt.datetime) -> str:
    """``2026年11月23日``; an aware datetime is shown as its Beijing-time date."""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class DocumentHeader:
    """What every document carries besides its body."""

    number: str
    issued_at: dt.datetime  # aware
    centre_name: str
    staff_name: str
    verification_code: str
    verification_url: str
    department_name: str = ""

    def __post_init__(self):
        if not isinstance(self.issued_at, dt.datetime) or self.issued_at.tzinfo is None:
            raise InvalidInput("出具时间必须带时区", code="naive_datetime", field="issued_at")
        if not (self.verification_url or "").strip():
            raise InvalidInput("缺少验证网址", code="verification_url_missing", field="verification_url")


class RenderedPDF(bytes):
    """PDF bytes, plus the characters that were replaced by ``□`` (empty unless
    ``allow_missing_glyphs=True`` was passed)."""

    missing_glyphs: frozenset[str]
    page_count: int

    def __new__(cls, data: bytes, missing: Iterable[str] = (), page_count: int = 1):
        obj = super().__new__(cls, data)
        obj.missing_glyphs = frozenset(missing)
        obj.page_count = page_count
        return obj


# --------------------------------------------------------------------------- writer


class _Writer:
    """Creates the flowables of one document. All variable text goes through it, so it knows
    every character the font lacks before anything is drawn."""

    def __init__(self, font_path: str | None, allow_missing_glyphs: bool):
        self.font = cjk_font(font_path)
        self.allow_missing = allow_missing_glyphs
        self.missing: set[str] = set()
        f = self.font.name
        self.body = ParagraphStyle("body", fontName=f, fontSize=12, leading=21, wordWrap="CJK",
                                   alignment=TA_JUSTIFY, textColor=INK, firstLineIndent=24, spaceAfter=4)
        self.plain_body = ParagraphStyle("plain", parent=self.body, firstLineIndent=0)
        self.item = ParagraphStyle("item", parent=self.body, firstLineIndent=0, leftIndent=30,
                                   bulletIndent=12, bulletFontName=f, spaceAfter=2)
        self.cell = ParagraphStyle("cell", fontName=f, fontSize=10.5, leading=15, wordWrap="CJK", textColor=INK)
        self.cell_head = ParagraphStyle("cellh", parent=self.cell, alignment=TA_CENTER)
        self.cell_center = ParagraphStyle("cellc", parent=self.cell, alignment=TA_CENTER)
        self.number = ParagraphStyle("number", fontName=f, fontSize=10.5, leading=16, alignment=TA_RIGHT,
                                     textColor=INK, wordWrap="CJK")
        self.subtitle = ParagraphStyle("subtitle", fontName=f, fontSize=13, leading=20, alignment=TA_CENTER,
                                       textColor=INK, wordWrap="CJK")
        self.note = ParagraphStyle("note", fontName=f, fontSize=10, leading=15, textColor=GREY,
                                   wordWrap="CJK", alignment=TA_LEFT)

    def plain(self, text) -> str:
        """``text`` with every character the font lacks replaced (and remembered)."""
        out = []
        for c in str(text if text is not None else ""):
            if self.font.has(c) or c == "\n":
                out.append(c)
            elif not _needs_glyph(c):
                out.append(" " if c.isspace() else "")
            else:
                self.missing.add(c)
                out.append(REPLACEMENT_CHAR)
        return "".join(out)

    def markup(self, text) -> str:
        return escape(self.plain(text)).replace("\n", "<br/>")

    def para(self, text, style: ParagraphStyle | None = None, **kw) -> Paragraph:
        return Paragraph(self.markup(text), style or self.body, **kw)

    def items(self, texts: Sequence[str]) -> list[Paragraph]:
        return [self.para(t, self.item, bulletText=f"{i}.") for i, t in enumerate(texts, 1)]

    def table(self, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
              center_cols: Sequence[int] = ()) -> Table:
        def cell(text, col):
            return self.para(text, self.cell_center if col in center_cols else self.cell)

        data = [[self.para(h, self.cell_head) for h in head]]
        data += [[cell(v, c) for c, v in enumerate(row)] for row in rows]
        table = Table(data, colWidths=list(widths), repeatRows=1)
        table.setStyle(TableStyle(self._table_base() + [
            ("GRID", (0, 0), (-1, -1), 0.5, LINE),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        return table

    def _table_base(self) -> list[tuple]:
        # FONTNAME: reportlab sets the cell font even for Paragraph cells (default Helvetica,
        # which would end up as an un-embedded font resource).
        return [("FONTNAME", (0, 0), (-1, -1), self.font.name), ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]

    def facts(self, rows: Sequence[tuple[str, str]], label_width: float, *, grid: bool = True,
              style: ParagraphStyle | None = None) -> Table:
        """Label/value rows (申请人、证件号码、申请事项 … or a certificate's fields)."""
        style = style or self.cell
        data = [[self.para(label, style), self.para(value, style)] for label, value in rows]
        table = Table(data, colWidths=[label_width, None])
        commands = self._table_base() + [("VALIGN", (0, 0), (-1, -1), "TOP")]
        if grid:
            commands += [("GRID", (0, 0), (-1, -1), 0.5, LINE),
                         ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4"))]
        table.setStyle(TableStyle(commands))
        return table

    def check(self) -> None:
        if self.missing and not self.allow_missing:
            listed = "、".join(f"{c}（U+{ord(c):04X}）" for c in sorted(self.missing))
            raise InvalidInput(f"字体缺少以下字符：{listed}", code="glyph_missing",
                               details={"characters": sorted(self.missing)})


# --------------------------------------------------------------------------- flowables


class _Heading(Flowable):
    """A centred title in faux bold (UMing has no bold face) with optional letter spacing."""

    def __init__(self, text: str, font: str, size: float, char_space: float = 0):
        super().__init__()
        self.text, self.font, self.size, self.char_space = text, font, size, char_space

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.size * 1.5

    def draw(self):
        c = self.canv
        text_width = (pdfmetrics.stringWidth(self.text, self.font, self.size)
                      + self.char_space * max(len(self.text) - 1, 0))
        c.saveState()
        c.setFillColor(INK)
        c.setStrokeColor(INK)
        c.setLineWidth(self.size * 0.035)
        t = c.beginText((self.width - text_width) / 2, self.size * 0.35)
        t.setFont(self.font, self.size)
        t.setCharSpace(self.char_space)
        t.setTextRenderMode(2)  # fill + stroke
        t.textOut(self.text)
        c.drawText(t)
        c.restoreState()


class _Signoff(Flowable):
    """Issuer and date at the right, over a dashed seal area; 经办人 at the left."""

    HEIGHT = 46 * mm
    RADIUS = 20 * mm

    def __init__(self, font: str, issuer: str, date_text: str, staff: str):
        super().__init__()
        self.font, self.issuer, self.date_text, self.staff = font, issuer, date_text, staff

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.HEIGHT

    def draw(self):
        c = self.canv
        size = 12
        issuer_w = pdfmetrics.stringWidth(self.issuer, self.font, size)
        cx = min(self.width - 45 * mm, self.width - issuer_w / 2)
        cy = self.HEIGHT / 2 + 1 * mm
        c.saveState()
        c.setStrokeColor(SEAL_RED)
        c.setLineWidth(0.8)
        c.setDash(3, 2)
        c.circle(cx, cy, self.RADIUS, stroke=1, fill=0)
        c.setDash()
        c.setFillColor(colors.HexColor("#d98880"))
        c.setFont(self.font, 8)
        c.drawCentredString(cx, cy + self.RADIUS - 6 * mm, "电子印章")
        c.setFillColor(INK)
        c.setFont(self.font, size)
        c.drawCentredString(cx, cy + 2 * mm, self.issuer)
        c.drawCentredString(cx, cy - 7 * mm, self.date_text)
        if self.staff:
            c.setFont(self.font, 10.5)
            c.drawString(0, 4 * mm, f"经办人：{self.staff}")
        c.restoreState()


def _qr_matrix(value: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(value)
    code.make(fit=True)
    return code.get_matrix()


def _draw_qr(c: Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw a QR matrix as one vector path (dark runs per row), with the 4-module quiet zone
    included in ``size``; (x, y) is the lower-left corner."""
    n = len(matrix)
    module = size / (n + 8)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        row_y = y + size - (r + 5) * module
        col = 0
        while col < n:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < n and row[col]:
                col += 1
            path.rect(x + (start + 4) * module, row_y, (col - start) * module, module)
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)


class _DeferredCanvas(Canvas):
    """Canvas that draws the page decoration (footer, border) once the page count is known."""

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


# --------------------------------------------------------------------------- the shared frame


@dataclass(frozen=True)
class _Layout:
    pagesize: tuple[float, float]
    margin: float
    bottom: float  # bottom margin: room for the footer
    title_size: float
    char_space: float
    border: bool


@dataclass(frozen=True)
class _Footer:
    """Drawn on every page once the page count is known: border (certificates), QR code,
    verification code and URL, page x of y."""

    layout: _Layout
    font: str
    qr: list[list[bool]]
    code: str
    url: str

    def __call__(self, c: Canvas, page: int, pages: int) -> None:
        c.saveState()
        width, height = self.layout.pagesize
        if self.layout.border:
            c.setStrokeColor(SEAL_RED)
            c.setLineWidth(2.2)
            c.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
            c.setLineWidth(0.6)
            c.rect(12.5 * mm, 12.5 * mm, width - 25 * mm, height - 25 * mm)
        left, right = self.layout.margin, width - self.layout.margin
        base = self.layout.bottom - 36 * mm  # bottom edge of the QR code
        c.setStrokeColor(LINE)
        c.setLineWidth(0.4)
        c.line(left, base + 28 * mm, right, base + 28 * mm)
        _draw_qr(c, self.qr, left - 2 * mm, base, 24 * mm)
        x = left + 25 * mm
        c.setFillColor(INK)
        c.setFont(self.font, 10.5)
        c.drawString(x, base + 17 * mm, f"验证码：{self.code}")
        line = f"验证网址：{self.url}"
        size = 9.0
        while size > 5 and pdfmetrics.stringWidth(line, self.font, size) > right - x:
            size -= 0.5  # long URLs shrink rather than run off the page
        c.setFont(self.font, size)
        c.drawString(x, base + 11 * mm, line)
        c.setFillColor(GREY)
        c.setFont(self.font, 8)
        c.drawString(x, base + 5 * mm, "扫描二维码或访问验证网址并输入验证码，可核验本文件真伪。")
        c.drawRightString(right, base + 5 * mm, f"第 {page} 页 共 {pages} 页")
        c.restoreState()


_NOTICE = _Layout(A4, 25 * mm, 42 * mm, 22, 2, False)
_CERT = _Layout(A4, 28 * mm, 46 * mm, 30, 14, True)
_CERT_LANDSCAPE = _Layout(_landscape(A4), 28 * mm, 44 * mm, 30, 14, True)


def _build(w: _Writer, header: DocumentHeader, title: str, body: list[Flowable], *,
           issuer: str, subject: str = "", subtitle: str = "", layout: _Layout = _NOTICE) -> RenderedPDF:
    """Header block + body + signoff, with the footer (QR, verification code, URL) on every page."""
    font = w.font.name
    top: list[Flowable] = [_Heading(w.plain(title), font, layout.title_size, layout.char_space)]
    if subtitle:
        top.append(w.para(subtitle, w.subtitle))
    top += [Spacer(1, 2 * mm), w.para(f"编号：{header.number}", w.number), Spacer(1, 4 * mm)]
    signoff = _Signoff(font, w.plain(issuer), format_date(header.issued_at), w.plain(header.staff_name))
    code = w.plain(header.verification_code)
    url = w.plain(header.verification_url)
    doc_title = w.plain(f"{title} {header.number}")
    author = w.plain(issuer)
    w.check()

    footer = _Footer(layout, font, _qr_matrix(header.verification_url), code, url)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=layout.pagesize, leftMargin=layout.margin, rightMargin=layout.margin,
        topMargin=layout.margin - (4 * mm if layout.border else 0), bottomMargin=layout.bottom,
        title=doc_title, author=author, subject=w.plain(subject), creator="Quanke 全科",
        initialFontName=font, lang="zh-CN", pageCompression=1,  # no un-embedded Helvetica
    )
    doc.build(top + body + [Spacer(1, 6 * mm), signoff],
              canvasmaker=functools.partial(_DeferredCanvas, decorate=footer))
    return RenderedPDF(buffer.getvalue(), w.missing, doc.page)


def _parties(w: _Writer, applicant_name: str, applicant_id_masked: str, service_name: str) -> list[Flowable]:
    rows = [("申请人", applicant_name), ("证件号码", applicant_id_masked), ("申请事项", service_name)]
    return [w.facts(rows, 28 * mm), Spacer(1, 5 * mm)]


def _require(values: Sequence, message: str, code: str, field: str) -> None:
    """Non-empty, and no blank entry (for pairs: no blank first element)."""
    first = [v[0] if isinstance(v, (tuple, list)) else v for v in values or ()]
    if not first or not all(str(v or "").strip() for v in first):
        raise InvalidInput(message, code=code, field=field)


# --------------------------------------------------------------------------- documents


def render_receipt(header: DocumentHeader, *, service_name: str, applicant_name: str,
                   applicant_id_masked: str, materials: Sequence[tuple[str, str]],
                   due_date: dt.date | None, due_explanation: Sequence[str] = (), collect_info: str = "",
                   allow_missing_glyphs: bool = False, font_path: str | None = None) -> RenderedPDF:
    """受理回执: what was accepted, which materials (纸质/电子), when it will be done, how to collect."""
    w = _Writer(font_path, allow_missing_glyphs)
    body = _parties(w, applicant_name, applicant_id_masked, service_name)
    body.append(w.para(f"您申请的“{service_name}”事项，申请材料齐全、符合法定形式，"
                       f"本中心已于{format_date(header.issued_at)}予以受理。现将收取的材料及办理时限告知如下："))
    body.append(Spacer(1, 2 * mm))
    rows = [(str(i), name, how) for i, (name, how) in enumerate(materials, 1)] or [("—", "（无）", "—")]
    body += [w.table(("序号", "材料名称", "提交形式"), rows, (14 * mm, 118 * mm, 28 * mm), (0, 2)),
             Spacer(1, 4 * mm)]
    if due_date is not None:
        body.append(w.para(f"承诺办结日期：{format_date(due_date)}", w.plain_body))
    body += [w.para(line, w.plain_body) for line in due_explanation]
    if collect_info:
        body.append(w.para(f"结果领取：{collect_info}", w.plain_body))
    body.append(w.para("请妥善保管本回执，凭本回执和身份证件查询办理进度、领取办理结果。", w.plain_body))
    return _build(w, header, "受理回执", body, issuer=header.centre_name, subject=service_name)


def render_correction_notice(header: DocumentHeader, *, service_name: str, applicant_name: str,
                             applicant_id_masked: str, gaps: Sequence[tuple[str, str]],
                             correction_deadline: dt.date, consequence: str,
                             allow_missing_glyphs: bool = False, font_path: str | None = None) -> RenderedPDF:
    """一次性补正告知书: lists every gap at once (《行政许可法》第三十二条)."""
    _require(gaps, "一次性补正告知书必须列明需要补正的全部材料", "gaps_missing", "gaps")
    w = _Writer(font_path, allow_missing_glyphs)
    body = _parties(w, applicant_name, applicant_id_masked, service_name)
    body.append(w.para(f"您申请的“{service_name}”事项，经审查，申请材料不齐全或者不符合法定形式。"
                       f"根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知您需要补正的全部内容"
                       f"（共{len(gaps)}项）："))
    body.append(Spacer(1, 2 * mm))
    rows = [(str(i), name, reason) for i, (name, reason) in enumerate(gaps, 1)]
    body += [w.table(("序号", "需补正的材料", "补正原因及要求"), rows, (14 * mm, 58 * mm, 88 * mm), (0,)),
             Spacer(1, 4 * mm)]
    body.append(w.para(f"请于{format_date(correction_deadline)}前一次性补正上述全部材料。{consequence}"))
    body.append(w.para("除上述内容外，本中心不再要求您补正其他材料。"))
    return _build(w, header, "一次性补正告知书", body, issuer=header.centre_name, subject=service_name)


def render_refusal_notice(header: DocumentHeader, *, service_name: str, applicant_name: str,
                          applicant_id_masked: str, reasons: Sequence[str],
                          allow_missing_glyphs: bool = False, font_path: str | None = None) -> RenderedPDF:
    """不予受理通知书 with the reasons and the rights notice (复议 60 日 / 诉讼 6 个月)."""
    _require(reasons, "不予受理通知书必须说明理由", "reasons_missing", "reasons")
    w = _Writer(font_path, allow_missing_glyphs)
    body = _parties(w, applicant_name, applicant_id_masked, service_name)
    body.append(w.para(f"您申请的“{service_name}”事项，经审查，因下列原因，本中心决定不予受理："))
    body += w.items(reasons)
    body.append(Spacer(1, 3 * mm))
    body.append(w.para("如对本决定不服，" + RIGHTS_NOTICE.format(doc="通知书")))
    return _build(w, header, "不予受理通知书", body, issuer=header.centre_name, subject=service_name)


def render_decision_letter(header: DocumentHeader, *, approved: bool, service_name: str, applicant_name: str,
                           applicant_id_masked: str, reasons: Sequence[str] = (), title: str | None = None,
                           allow_missing_glyphs: bool = False, font_path: str | None = None) -> RenderedPDF:
    """准予/不予行政许可决定书. A refusal must give reasons and states the rights of appeal."""
    if not approved:
        _require(reasons, "不予许可决定必须说明理由", "reasons_missing", "reasons")
    w = _Writer(font_path, allow_missing_glyphs)
    body = _parties(w, applicant_name, applicant_id_masked, service_name)
    if approved:
        title = title or "准予行政许可决定书"
        body.append(w.para(f"你（单位）申请的“{service_name}”事项，经审查，符合法定条件、标准。根据《中华人民共和国"
                           "行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"))
        if reasons:
            body.append(w.para("审查意见：", w.plain_body))
            body += w.items(reasons)
    else:
        title = title or "不予行政许可决定书"
        body.append(w.para(f"你（单位）申请的“{service_name}”事项，经审查，不符合法定条件、标准。根据《中华人民共和国"
                           "行政许可法》第三十八条第二款的规定，本机关决定不予行政许可，理由如下："))
        body += w.items(reasons)
        body.append(Spacer(1, 3 * mm))
        body.append(w.para("如不服本决定，" + RIGHTS_NOTICE.format(doc="决定书")))
    issuer = header.department_name or header.centre_name
    return _build(w, header, title, body, issuer=issuer, subject=service_name)


# --------------------------------------------------------------------------- certificates


def _spread_label(label: str) -> str:
    """Pad short labels to four em like printed certificates: 名　　称, 住 所 地."""
    if len(label) == 2:
        return f"{label[0]}　　{label[1]}"
    if len(label) == 3:
        return " ".join(label)
    return label


class CertificateTemplate:
    """The certificate frame plugins fill in; satisfies :class:`core.contract.services.Renderer`.

    ``fields(ctx)`` returns the label/value rows (e.g. ``[("名称", …), ("法定代表人", …)]``).
    The frame adds the border, title, the number, issuing department, date, the seal area,
    the QR code and verification code. ``ctx.extra`` may carry ``certificate_no`` (default: the
    application number) and ``staff_name``.
    """

    def __init__(self, title: str, fields: Callable[[CertificateContext], list[tuple[str, str]]], *,
                 subtitle: str = "", footer_note: str = "", landscape: bool = False,
                 font_path: str | None = None):
        if not (title or "").strip():
            raise InvalidInput("证照模板缺少标题", code="certificate_title_missing", field="title")
        if not callable(fields):
            raise InvalidInput("证照模板的 fields 必须可调用", code="certificate_fields_invalid", field="fields")
        self.title, self.fields, self.subtitle, self.footer_note = title, fields, subtitle, footer_note
        self.landscape, self.font_path = landscape, font_path

    def __repr__(self) -> str:
        return f"CertificateTemplate({self.title!r})"

    def _rows(self, ctx: CertificateContext) -> list[tuple[str, str]]:
        rows = self.fields(ctx)
        if not isinstance(rows, (list, tuple)) or not all(isinstance(r, (list, tuple)) and len(r) == 2
                                                          for r in rows):
            raise InvalidInput(f"证照“{self.title}”的字段必须是（名称, 内容）列表",
                               code="certificate_fields_invalid")
        return [(str(k), "" if v is None else str(v)) for k, v in rows]

    def __call__(self, ctx: CertificateContext, *, allow_missing_glyphs: bool = False) -> RenderedPDF:
        header = DocumentHeader(
            number=str(ctx.extra.get("certificate_no") or ctx.application_no),
            issued_at=ctx.decided_at, centre_name=ctx.centre_name,
            staff_name=str(ctx.extra.get("staff_name", "")), verification_code=ctx.verification_code,
            verification_url=ctx.verification_url, department_name=ctx.department_name,
        )
        w = _Writer(self.font_path, allow_missing_glyphs)
        value_style = ParagraphStyle("certv", parent=w.cell, fontSize=13, leading=22)
        rows = [(_spread_label(label), value) for label, value in self._rows(ctx)]
        widest = max((pdfmetrics.stringWidth(label, w.font.name, value_style.fontSize) for label, _ in rows),
                     default=0)
        label_width = min(max(widest + 8 * mm, 34 * mm), 62 * mm)
        body: list[Flowable] = [Spacer(1, 4 * mm), w.facts(rows, label_width, grid=False, style=value_style)]
        if self.footer_note:
            body += [Spacer(1, 4 * mm), w.para(self.footer_note, w.note)]
        layout = _CERT_LANDSCAPE if self.landscape else _CERT
        return _build(w, header, self.title, body, issuer=ctx.department_name or ctx.centre_name,
                      subject=ctx.service_name, subtitle=self.subtitle, layout=layout)
