"""给予法律援助决定书 (the grant letter): only its fields; the frame is the core's."""
from core.documents import CertificateTemplate
from core.services import CertificateContext

from .eligibility import ART31_CATEGORIES


def _fields(ctx: CertificateContext) -> list[tuple[str, str]]:
    data = ctx.form_data
    return [("受援人", ctx.applicant_name), ("身份证号", ctx.applicant_id_masked),
            ("援助事项", ART31_CATEGORIES.get(data.get("category"), "")),
            ("对方当事人", data.get("opposing_party", "")),
            ("决定", "经审查，符合法律援助条件，决定给予法律援助（《法律援助法》第四十三条）"),
            ("决定日期", f"{ctx.decided_at:%Y年%m月%d日}")]


GRANT = CertificateTemplate("给予法律援助决定书", _fields)
