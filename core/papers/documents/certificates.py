"""The certificate frame plugins fill in (:class:`CertificateTemplate`): border, title, number,
issuing department, date, seal area, QR code and verification code around the plugin's fields.
"""
from __future__ import annotations

from typing import Callable

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from core.contract.services import CertificateContext
from core.papers.documents.data import DocumentHeader, RenderedPDF
from core.papers.documents.frame import _CERT, _CERT_LANDSCAPE, _build
from core.papers.documents.writer import _Writer
from core.platform.errors import InvalidInput


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

    ``sealed`` (default): the drawn seal of the issuing department — a certificate is always
    signed with that department's seal by whoever issues it (the core for its kinds, a plugin
    for its own letters). A template for a paper nobody signs passes ``sealed=False``.
    """

    def __init__(self, title: str, fields: Callable[[CertificateContext], list[tuple[str, str]]], *,
                 subtitle: str = "", footer_note: str = "", landscape: bool = False,
                 font_path: str | None = None, sealed: bool = True):
        if not (title or "").strip():
            raise InvalidInput("证照模板缺少标题", code="certificate_title_missing", field="title")
        if not callable(fields):
            raise InvalidInput("证照模板的 fields 必须可调用", code="certificate_fields_invalid", field="fields")
        self.title, self.fields, self.subtitle, self.footer_note = title, fields, subtitle, footer_note
        self.landscape, self.font_path, self.sealed = landscape, font_path, sealed

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
        widest = max((w.font.width(label, value_style.fontSize) for label, _ in rows),
                     default=0)
        label_width = min(max(widest + 8 * mm, 34 * mm), 62 * mm)
        body: list[Flowable] = [Spacer(1, 4 * mm), w.facts(rows, label_width, grid=False, style=value_style)]
        if self.footer_note:
            body += [Spacer(1, 4 * mm), w.para(self.footer_note, w.note)]
        layout = _CERT_LANDSCAPE if self.landscape else _CERT
        return _build(w, header, self.title, body, issuer=ctx.department_name or ctx.centre_name,
                      subject=ctx.service_name, subtitle=self.subtitle, layout=layout,
                      sealed=self.sealed)
