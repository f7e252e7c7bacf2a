"""The papers of the procedure: 受理回执, 一次性补正告知书, 不予受理通知书 and the
准予/不予行政许可决定书, each with the rights of appeal where the law asks for them.
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from core.papers.documents.data import DocumentHeader, RenderedPDF, format_date
from core.papers.documents.frame import _build
from core.papers.documents.writer import _Writer
from core.platform.errors import InvalidInput

RIGHTS_NOTICE = "可在收到本{doc}之日起60日内申请行政复议，或者在6个月内依法提起行政诉讼。"


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
                           fields: Sequence[tuple[str, str]] = (),
                           allow_missing_glyphs: bool = False, font_path: str | None = None) -> RenderedPDF:
    """准予/不予行政许可决定书. A refusal must give reasons and states the rights of appeal.
    ``fields`` are the service's own lines (a licence number allocated on approval …), printed
    under the parties (the ``certificate_data`` hook's ``letter_fields``)."""
    if not approved:
        _require(reasons, "不予许可决定必须说明理由", "reasons_missing", "reasons")
    w = _Writer(font_path, allow_missing_glyphs)
    body = _parties(w, applicant_name, applicant_id_masked, service_name)
    if fields:
        body[-1:-1] = [w.facts([(str(label), str(value)) for label, value in fields], 28 * mm)]
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
    # Decision letters are signed with the deciding department's seal (core.papers.issuance),
    # so they show it; receipts and notices from the counter are not signed and show none.
    return _build(w, header, title, body, issuer=issuer, subject=service_name, sealed=True)
