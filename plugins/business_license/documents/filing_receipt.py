"""食品经营备案凭证: the receipt of a filing for selling only prepackaged food (食品安全法第三十五条)."""
from __future__ import annotations

from sqlalchemy import select

from core.api import NotFound, format_date
from plugins.business_license.documents.letters import kind
from plugins.business_license.domain import catalog, law
from plugins.business_license.models import FoodFiling, RegisteredBusiness


@kind("bl_food_filing", "食品经营备案凭证", "BA",
      footer=f"依{law.FOOD_FILING.short}，仅销售预包装食品的不需要取得许可，应当备案；本凭证不是行政许可。"
             "本备案与营业执照一并办理（证照联办）。")
def filing_rows(session, app, doc) -> list[tuple[str, str]]:
    filing = session.scalar(select(FoodFiling).where(FoodFiling.document_id == doc.id))
    if filing is None:
        raise NotFound("备案记录不存在", code="filing_not_found")
    business = session.get(RegisteredBusiness, filing.business_id)
    items = "；".join(catalog.FOOD_ITEMS[i][0] for i in filing.items if i in catalog.FOOD_ITEMS)
    return [
        ("备案编号", filing.filing_no or ""),
        ("经营者名称", business.name or business.operator_name),
        ("统一社会信用代码", business.credit_code or ""),
        ("经营者", business.operator_name),
        ("经营场所", filing.premises),
        ("主体业态", catalog.FOOD_CATEGORIES["food_sales"]),
        ("备案项目", f"仅销售预包装食品：{items}"),
        ("食品安全管理人员", filing.safety_manager or "—"),
        ("备案日期", format_date(filing.filed_on)),
    ]
