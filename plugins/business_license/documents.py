"""The business licence (营业执照) certificate: only its fields; the frame is the core's."""
from core.documents import CertificateTemplate
from core.services import CertificateContext

from .forms import ORGANISATION_FORMS, SCOPES


def _fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    return [
        ("统一社会信用代码", ctx.extra.get("credit_code", "（核准后赋码）")),
        ("名称", data.get("business_name", "")),
        ("类型", "个体工商户"),
        ("经营者", data.get("operator_name", "")),
        ("组成形式", dict(ORGANISATION_FORMS).get(data.get("organisation_form"), "")),
        ("经营场所", data.get("address", "")),
        ("经营范围", dict(SCOPES).get(data.get("scope"), "")),
        ("注册日期", f"{ctx.decided_at:%Y年%m月%d日}"),
    ]


LICENCE = CertificateTemplate("营业执照", _fields, subtitle="（副本）")
