"""The frame every paper shares (:func:`_build`): title and number on top, the body, the
issuer/date block with the seal area, and on every page the footer with the QR code encoding
the verification URL, the verification code, ``验证网址：<url>`` and ``第 x 页 共 y 页``.
"""
from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as _landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from core.papers.documents.data import DocumentHeader, RenderedPDF, format_date
from core.papers.documents.flowables import (
    _DeferredCanvas,
    _draw_qr,
    _Heading,
    _qr_matrix,
    _Signoff,
)
from core.papers.documents.writer import GREY, INK, LINE, SEAL_RED, _Writer


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
           issuer: str, subject: str = "", subtitle: str = "", layout: _Layout = _NOTICE,
           sealed: bool = False) -> RenderedPDF:
    """Header block + body + signoff, with the footer (QR, verification code, URL) on every page.
    ``sealed``: the drawn seal of ``issuer`` over the sign-off — only for papers the caller
    signs with that body's seal (:mod:`core.papers.seal`)."""
    font = w.font.name
    top: list[Flowable] = [_Heading(w.plain(title), w.font, layout.title_size, layout.char_space)]
    if subtitle:
        top.append(w.para(subtitle, w.subtitle))
    top += [Spacer(1, 2 * mm), w.para(f"编号：{header.number}", w.number), Spacer(1, 4 * mm)]
    signoff = _Signoff(w.font, w.plain(issuer), format_date(header.issued_at), w.plain(header.staff_name),
                       sealed)
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
