"""Certificates: 营业执照, 食品经营许可证 and 准予注销登记通知书 (fields only; the frame,
QR code, verification code and electronic seal are the core's).

The values come from the register through the ``certificate_data`` hook (``ctx.extra``):
the credit code assigned on approval and the business as it stands after the change. When
rendered without them (the contract check, a preview) the form data stands in.

The licence follows the 2019 national layout on one landscape page (:mod:`.licence_layout`);
the permit and the deregistration notice use the core's certificate frame.
"""
from __future__ import annotations

from core.api import CertificateContext, CertificateTemplate, format_date
from plugins.business_license.documents.licence_layout import LicenceLayout
from plugins.business_license.domain import catalog, names
from plugins.business_license.forms.fields import parse_members

PENDING_CODE = "（核准后赋码）"


def _business(ctx: CertificateContext) -> dict:
    """The business as the certificate shows it: the register's record, else the form."""
    data = ctx.form_data
    recorded = ctx.extra.get("business") or {}
    district = ctx.extra.get("district") or catalog.DEFAULT_DISTRICT_NAME
    own = data.get("business_name") or ""
    return {
        "credit_code": ctx.extra.get("credit_code") or data.get("credit_code") or PENDING_CODE,
        "name": recorded.get("name") or (names.full_name(district, own) if own else ""),
        "operator_name": recorded.get("operator_name") or data.get("operator_name") or ctx.applicant_name,
        "organisation_form": recorded.get("organisation_form") or data.get("organisation_form") or "individual",
        "family_members": recorded.get("family_members") or parse_members(data.get("family_members")),
        "address": recorded.get("address") or data.get("address") or "",
        "operator_residence": recorded.get("operator_residence") or data.get("operator_residence") or "",
        "scopes": recorded.get("scopes") or data.get("scopes") or [],
        "registered_on": recorded.get("registered_on"),
    }


def _organisation(business: dict) -> str:
    label = catalog.ORGANISATION_FORMS.get(business["organisation_form"], "")
    members = business["family_members"]
    if business["organisation_form"] == "family" and members:
        label += "（参加经营的家庭成员：" + "、".join(m.get("name", "") for m in members) + "）"
    return label


def _date(value, fallback) -> str:
    import datetime as dt
    if isinstance(value, str) and value:
        value = dt.date.fromisoformat(value)
    return format_date(value or fallback)


def _licence_fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    b = _business(ctx)
    # A business that uses no name (市场主体登记管理条例第八条) has no name line at all.
    name = [("名称", b["name"])] if b["name"] else []
    return [
        ("统一社会信用代码", b["credit_code"]),
        *name,
        ("类型", "个体工商户"),
        ("经营者", b["operator_name"]),
        ("组成形式", _organisation(b)),
        ("经营范围", catalog.scopes_text(b["scopes"])),
        ("注册日期", _date(b["registered_on"], ctx.decided_at)),
        ("经营场所", b["address"]),
        # A registration item (条例第八条); businesses registered before it was asked show so.
        ("经营者住所", b["operator_residence"] or "未登记"),
    ]


#: One landscape page in the national layout (see licence_layout.py), not the core's stacked frame.
LICENCE = LicenceLayout("营业执照", _licence_fields)


def _permit_holder(ctx: CertificateContext) -> str:
    """The business's name; a business without one is named by its operator (条例第八条)."""
    business = ctx.extra.get("business")
    if business:
        return business.get("name") or business.get("operator_name") or ctx.applicant_name
    return ctx.form_data.get("business_name") or "（以营业执照为准）"


def _permit_fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    extra = ctx.extra
    items = "；".join(catalog.FOOD_ITEMS[i][0] for i in data.get("food_items") or [] if i in catalog.FOOD_ITEMS)
    return [
        ("经营者名称", _permit_holder(ctx)),
        ("社会信用代码", extra.get("credit_code") or data.get("credit_code") or PENDING_CODE),
        ("法定代表人（负责人）", (extra.get("business") or {}).get("operator_name") or ctx.applicant_name),
        ("经营场所", data.get("premises", "")),
        ("主体业态", catalog.FOOD_CATEGORIES.get(data.get("food_category"), "")),
        ("经营项目", items),
        ("许可证编号", extra.get("permit_no") or "（许可后编号）"),
        ("日常监督管理机构", extra.get("supervisor") or "区市场监督管理局"),
        ("投诉举报电话", "12315"),
        ("有效期至", _date(extra.get("valid_until"), ctx.decided_at)),
    ]


FOOD_PERMIT = CertificateTemplate(
    "食品经营许可证", _permit_fields, subtitle="（副本）",
    footer_note="本许可证依据告知承诺制作出。经现场核查发现不符合所承诺条件的，依法撤销许可并记入信用记录。")


def _deregistration_fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    b = _business(ctx)
    recorded = bool(ctx.extra.get("business"))
    # As on the licence: a recorded business without a name has no name line.
    name = [] if recorded and not b["name"] else [("名称", b["name"] or "（以登记机关记录为准）")]
    return [
        *name,
        ("统一社会信用代码", b["credit_code"]),
        ("经营者", b["operator_name"]),
        ("注销原因", catalog.DEREGISTRATION_REASONS.get(data.get("reason"), data.get("reason", ""))),
        ("注销日期", _date(ctx.extra.get("deregistered_on"), ctx.decided_at)),
    ]


DEREGISTRATION_NOTICE = CertificateTemplate(
    "准予注销登记通知书", _deregistration_fields,
    footer_note="经审查，你户提交的注销登记申请材料齐全，符合法定形式，本机关决定准予注销登记。"
                "原营业执照及名下许可证同时作废。")
