"""Drawn pieces of a paper: the faux-bold title, the issuer/date sign-off over the seal area,
the QR code as one vector path, and the canvas that decorates pages once their count is known.

Text drawn straight on the canvas goes through :func:`draw_runs`, which switches to the
fallback font for characters the main font lacks (a staff member's name in Extension B).
"""
from __future__ import annotations

from typing import Callable

import qrcode
import qrcode.constants
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from core.papers.documents.fonts import CJKFont
from core.papers.documents.seal_drawing import draw_seal
from core.papers.documents.writer import INK


def draw_runs(c: Canvas, x: float, y: float, text: str, font: CJKFont, size: float,
              align: str = "left") -> None:
    """Draw ``text`` at (x, y), each run in the font that has its characters; ``align`` is
    ``left``, ``centre`` (x is the middle) or ``right`` (x is the right edge)."""
    width = font.width(text, size)
    x -= {"left": 0, "centre": width / 2, "right": width}[align]
    t = c.beginText(x, y)
    for face, piece in font.runs(text):
        t.setFont(face, size)
        t.textOut(piece)
    c.drawText(t)


class _Heading(Flowable):
    """A centred title in faux bold (UMing has no bold face) with optional letter spacing."""

    def __init__(self, text: str, font: CJKFont, size: float, char_space: float = 0):
        super().__init__()
        self.text, self.font, self.size, self.char_space = text, font, size, char_space

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.size * 1.5

    def draw(self):
        c = self.canv
        text_width = (self.font.width(self.text, self.size)
                      + self.char_space * max(len(self.text) - 1, 0))
        c.saveState()
        c.setFillColor(INK)
        c.setStrokeColor(INK)
        c.setLineWidth(self.size * 0.035)
        t = c.beginText((self.width - text_width) / 2, self.size * 0.35)
        t.setCharSpace(self.char_space)
        t.setTextRenderMode(2)  # fill + stroke
        for face, piece in self.font.runs(self.text):
            t.setFont(face, self.size)
            t.textOut(piece)
        c.drawText(t)
        c.restoreState()


class _Signoff(Flowable):
    """Issuer and date at the right, 经办人 at the left. ``sealed`` papers (those the issuing
    body signs) carry the drawn seal over the issuer and date; the others carry none."""

    HEIGHT = 46 * mm
    RADIUS = 20 * mm

    def __init__(self, font: CJKFont, issuer: str, date_text: str, staff: str, sealed: bool = False):
        super().__init__()
        self.font, self.issuer, self.date_text, self.staff = font, issuer, date_text, staff
        self.sealed = sealed

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.HEIGHT

    def draw(self):
        c = self.canv
        size = 12
        issuer_w = self.font.width(self.issuer, size)
        cx = min(self.width - 45 * mm, self.width - issuer_w / 2)
        cy = self.HEIGHT / 2 + 1 * mm
        c.saveState()
        c.setFillColor(INK)
        draw_runs(c, cx, cy + 2 * mm, self.issuer, self.font, size, "centre")
        draw_runs(c, cx, cy - 7 * mm, self.date_text, self.font, size, "centre")
        if self.sealed:
            draw_seal(c, cx, cy, self.RADIUS, self.issuer, self.font)
        if self.staff:
            c.setFillColor(INK)
            draw_runs(c, 0, 4 * mm, f"经办人：{self.staff}", self.font, 10.5)
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
