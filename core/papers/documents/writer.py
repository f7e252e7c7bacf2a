"""The text of a paper: paragraph styles, tables and facts in the CJK font, characters it
lacks drawn with the fallback font (CJK Extension B in names), and every character neither
has replaced by ``□`` and remembered (or refused: ``glyph_missing``).
"""
from __future__ import annotations

from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from core.papers.documents.fonts import _needs_glyph, cjk_font
from core.platform.errors import InvalidInput

REPLACEMENT_CHAR = "□"

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
        """``text`` with every character neither font has replaced (and remembered); draw it
        with :meth:`markup` or :func:`core.papers.documents.flowables.draw_runs`, which switch
        to the fallback font where the main one lacks a character."""
        out = []
        for c in str(text if text is not None else ""):
            if self.font.draws(c) or c == "\n":
                out.append(c)
            elif not _needs_glyph(c):
                out.append(" " if c.isspace() else "")
            else:
                self.missing.add(c)
                out.append(REPLACEMENT_CHAR)
        return "".join(out)

    def markup(self, text) -> str:
        return self.font.markup(self.plain(text))

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
