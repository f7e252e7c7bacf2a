"""The papers a citizen holds: receipts, notices, decision letters and certificates.

Everything is rendered with reportlab platypus onto A4 with ONE embedded TrueType CJK font
(AR PL UMing, a 宋体-like face; WenQuanYi Zen Hei as fallback). reportlab embeds TrueType
fonts as subsets, so a one-page receipt stays small. The API is plain data in, PDF bytes out:
no database objects. The PDF is unsigned; :mod:`core.papers.seal` applies the electronic seal.

Every document shares one frame (:func:`_build`): title and number on top, the body, the
issuer/date block with the seal area, and a footer on every page with the QR code encoding the
verification URL, the verification code, ``验证网址：<url>`` and ``第 x 页 共 y 页``. Only papers
that are signed show a seal (:func:`draw_seal`: the body's name around a red ring): decision
letters and certificates; the counter's receipts and notices are not signed and show none.

Text the font cannot draw is never dropped silently: rendering raises
``InvalidInput(code="glyph_missing")`` unless ``allow_missing_glyphs=True``, in which case the
characters are drawn as ``□`` and listed in the result's ``.missing_glyphs``.

The modules: ``fonts`` (the CJK font, missing glyphs), ``data`` (header, rendered PDF, dates),
``writer`` (styles and text), ``flowables``, ``seal_drawing``, ``frame`` (:func:`_build`), ``notices`` (receipts,
notices, decision letters) and ``certificates`` (:class:`CertificateTemplate`).
"""
from __future__ import annotations

from core.papers.documents.certificates import CertificateTemplate
from core.papers.documents.data import DocumentHeader, RenderedPDF, format_date
from core.papers.documents.fonts import (
    FONT_CANDIDATES,  # noqa: F401 - public, outside __all__
    FONT_ENV,
    CJKFont,  # noqa: F401 - public, outside __all__
    FontMissing,
    cjk_font,
    missing_glyphs,
)
from core.papers.documents.notices import (
    RIGHTS_NOTICE,  # noqa: F401 - public, outside __all__
    render_correction_notice,
    render_decision_letter,
    render_receipt,
    render_refusal_notice,
)
from core.papers.documents.seal_drawing import draw_seal, ring_layout
from core.papers.documents.writer import (
    GREY,  # noqa: F401 - public, outside __all__
    INK,  # noqa: F401 - public, outside __all__
    LINE,  # noqa: F401 - public, outside __all__
    REPLACEMENT_CHAR,  # noqa: F401 - public, outside __all__
    SEAL_RED,  # noqa: F401 - public, outside __all__
)

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
    "draw_seal",
    "ring_layout",
]
