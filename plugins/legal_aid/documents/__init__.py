"""给予法律援助决定书 (the grant letter): its rows; the frame (title, number, seal area, QR and
verification code) is the core's :class:`~core.papers.documents.CertificateTemplate`.

The core issues it as the application's certificate when aid is granted. The rows come from
the form data and, when the core passes them (``certificate_data`` hook), from the decision
record: which path (Art. 32 / 42 / means test) and which standard the decision used.
"""
from __future__ import annotations

from core.api import CertificateContext, CertificateTemplate

from plugins.legal_aid.domain.law import CATEGORIES, INJURY_KINDS, NOTIFICATION_GROUNDS, NOTIFYING_ORGANS, cite
from plugins.legal_aid.domain.notifications import is_notification

OBLIGATIONS = ("受援人应当如实陈述与法律援助事项有关的情况，及时提供证据材料，配合法律援助人员办理；有"
               + cite("第四十八条") + "规定情形的，法律援助机构将终止法律援助；以欺骗或者其他不正当手段获得"
               "法律援助的，由司法行政部门责令支付已实际支出的法律援助费用，可以处三千元以下罚款（"
               + cite("第六十四条") + "）。")


def matter_text(form_data: dict) -> str:
    category = CATEGORIES.get((form_data or {}).get("category", ""))
    if category is None:
        return "—"
    text = category.label
    kind = INJURY_KINDS.get((form_data or {}).get("injury_kind", ""))
    if form_data.get("category") == "injury" and kind:
        text += f"（{kind}）"
    if category.needs_basis and (form_data.get("other_basis") or "").strip():
        text += f"（{form_data['other_basis'].strip()}）"
    return f"{text}（{category.citation}）"


def notification_rows(form_data: dict) -> list[tuple[str, str]]:
    """Who notified, in which case, on which ground (Art. 25, 28), and what the centre does."""
    data = form_data or {}
    ground = NOTIFICATION_GROUNDS.get(data.get("notification_ground") or "")
    organ = (data.get("notifying_organ") or "").strip() or NOTIFYING_ORGANS.get(data.get("notifying_organ_kind"), "")
    ground_text = f"{ground.label}（{ground.citation}）" if ground else "—"
    if ground and ground.needs_basis and (data.get("other_basis") or "").strip():
        ground_text = f"{ground.label}：{data['other_basis'].strip()}（{ground.citation}）"
    role = "为其提供法律援助" if ground and ground.code == "compulsory_treatment" else "担任辩护人"
    basis = ground.citation if ground else cite("第二十五条")
    return [("通知机关", organ or "—"), ("案号或通知文号", (data.get("criminal_case_no") or "").strip() or "—"),
            ("通知情形", ground_text),
            ("决定", f"收到{organ or '办案机关'}的通知，依据{basis}和{cite('第三十六条')}，指派律师{role}；"
                     "通知指派不审查经济困难状况。"),
            ("指派", f"法律援助机构自收到通知之日起三日内指派律师，并通知{organ or '办案机关'}（{cite('第三十六条')}）。")]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def grant_rows(form_data: dict, applicant_name: str, applicant_id_masked: str, extra: dict,
               *, corrected_note: str = "") -> list[tuple[str, str]]:
    info = (extra or {}).get("legal_aid") or {}
    basis = info.get("basis") or []
    rows = [("受援人", applicant_name), ("身份证件号码", applicant_id_masked),
            ("援助事项", matter_text(form_data))]
    if is_notification(form_data):
        rows.append(("案情摘要", _short((form_data or {}).get("matter", ""))))
        return rows + notification_rows(form_data) + [("受援人须知", OBLIGATIONS)]
    rows += [("对方当事人", (form_data or {}).get("opposing_party", "") or "—"),
             ("案情摘要", _short((form_data or {}).get("matter", "")))]
    if basis:
        rows.append(("审查意见", "；".join(basis)))
    if corrected_note:
        rows.append(("改正依据", corrected_note))
    rows += [("决定", "经审查，符合法律援助条件，决定给予法律援助（" + cite("第四十三条第一款") + "）。"),
             ("指派", info.get("lawyer") or "法律援助机构自本决定作出之日起三日内指派法律援助人员为受援人"
              "提供法律援助（" + cite("第四十三条第一款") + "）。"),
             ("受援人须知", OBLIGATIONS)]
    return rows


def _fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    return grant_rows(ctx.form_data, ctx.applicant_name, ctx.applicant_id_masked, ctx.extra)


GRANT = CertificateTemplate("给予法律援助决定书", _fields,
                            footer_note="扫描二维码或访问核验网址可查验本决定书的真伪与效力。")
