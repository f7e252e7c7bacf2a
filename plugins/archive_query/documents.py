"""档案查询结果证明: the records found, or that none was found."""
from core.documents import CertificateTemplate
from core.identifiers import mask_id
from core.services import CertificateContext

from .forms import CATEGORIES


def _fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    found = ctx.extra.get("records") or []
    rows = [("档案类别", dict(CATEGORIES).get(data.get("category"), "")),
            ("档案当事人", f"{data.get('subject_name', '')}（{mask_id(data.get('subject_id_number', ''))}）"),
            ("查询结果", f"查到档案记录{len(found)}条" if found else "经查，无相关档案记录")]
    for record in found:
        rows.append((record.get("reference", ""), record.get("summary", "")))
    return rows


RESULT = CertificateTemplate("档案查询结果证明", _fields)
