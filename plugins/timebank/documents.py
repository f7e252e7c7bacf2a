"""志愿者证 (volunteer certificate): only its fields; the frame is the core's."""
from core.documents import CertificateTemplate
from core.services import CertificateContext

from .forms import CATEGORIES, COMMUNITIES


def _fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    return [("姓名", ctx.applicant_name), ("所在社区", dict(COMMUNITIES).get(data.get("community"), "")),
            ("服务类别", "、".join(dict(CATEGORIES).get(c, c) for c in data.get("categories") or [])),
            ("认证日期", f"{ctx.decided_at:%Y年%m月%d日}")]


VOLUNTEER_CARD = CertificateTemplate("时间银行志愿者证", _fields)
