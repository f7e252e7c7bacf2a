"""居住证明（证照）：内容行；边框、编号、开具单位、日期、印章位置与二维码由核心绘制。"""
import datetime as dt

from core.api import CertificateContext, CertificateTemplate, local_date

from .forms import COMMUNITIES, HOUSING, PURPOSES


def _date(value) -> str:
    try:
        return f"{dt.date.fromisoformat(str(value)[:10]):%Y年%m月%d日}"
    except ValueError:
        return ""


def _fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    purpose = PURPOSES.get(data.get("purpose"), "")
    if data.get("purpose") == "other":
        purpose = data.get("purpose_other") or purpose
    return [("姓名", ctx.applicant_name),
            ("公民身份号码", ctx.applicant_id_masked),
            ("居住地址", COMMUNITIES.get(data.get("community"), "") + (data.get("address") or "")),
            ("起始居住日期", _date(data.get("since"))),
            ("住房性质", HOUSING.get(data.get("housing"), "")),
            ("证明用途", purpose),
            ("开具日期", f"{local_date(ctx.decided_at):%Y年%m月%d日}")]


CERTIFICATE = CertificateTemplate(
    "居住证明", _fields, subtitle="兹证明下列人员在本社区居住",
    footer_note="本证明仅证明居住事实，不作为户籍或房屋权属证明；自开具之日起三个月内有效。")
