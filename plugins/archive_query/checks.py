"""Eligibility to query an archive: self, or a legitimate basis backed by a material."""
from core.services import Check, CheckContext, CheckResult

BASIS_MATERIAL = {"attorney": "power_of_attorney", "deceased_relative": "kinship_proof",
                  "investigation": "investigation_letter"}
PRESENT = {"paper", "scan"}


def _basis(ctx: CheckContext) -> CheckResult:
    basis = ctx.form_data.get("basis")
    subject = (ctx.form_data.get("subject_id_number") or "").upper()
    if basis == "self":
        if subject != ctx.applicant.id_number:
            return CheckResult.block("选择“本人查询”时，档案当事人必须是申请人本人")
        return CheckResult.passed("本人查询本人档案")
    material = BASIS_MATERIAL.get(basis)
    if material is None:
        return CheckResult.block("查询依据不明")
    if ctx.materials.get(material) not in PRESENT:
        name = {"power_of_attorney": "经公证的委托书", "kinship_proof": "死亡证明及亲属关系证明",
                "investigation_letter": "法院或律师调查函"}[material]
        return CheckResult.block(f"查询他人档案须提供{name}")
    return CheckResult.warn("查询他人档案，须由档案馆审批人员审核依据")


QUERY_BASIS = Check("archive_query.basis", "查询依据核查", _basis)
