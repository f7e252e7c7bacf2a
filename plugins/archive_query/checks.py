"""Eligibility to query an archive: self, or a legitimate basis backed by its material.

* basis "self": the subject must be the applicant (resident ID); a different registered
  name is only a warning (old records, name changes).
* another person's records need the material for the basis — a notarised power of attorney,
  the death certificate *and* the kinship proof, or a court/lawyer investigation letter —
  and then go to the archive bureau's approver (a warning the counter must acknowledge).
"""
from core.api import Check, CheckContext, CheckResult

#: basis → the materials it needs (all of them), with their Chinese names.
BASIS_MATERIALS = {
    "attorney": (("power_of_attorney", "经公证的委托书"),),
    "deceased_relative": (("death_certificate", "死亡证明"), ("kinship_proof", "亲属关系证明")),
    "investigation": (("investigation_letter", "法院或律师调查函"),),
}
PRESENT = {"paper", "scan"}


def _basis(ctx: CheckContext) -> CheckResult:
    basis = ctx.form_data.get("basis")
    subject = (ctx.form_data.get("subject_id_number") or "").upper()
    if basis == "self":
        if ctx.applicant.kind != "person" or subject != ctx.applicant.id_number:
            return CheckResult.block("选择“本人查询”时，档案当事人必须是申请人本人；查询他人档案须提供委托书等合法依据")
        name = (ctx.form_data.get("subject_name") or "").strip()
        if name and name != ctx.applicant.name:
            return CheckResult.warn(f"当事人姓名“{name}”与申请人登记姓名“{ctx.applicant.name}”不一致，请核对证件")
        return CheckResult.passed("本人查询本人档案")
    needed = BASIS_MATERIALS.get(basis)
    if needed is None:
        return CheckResult.block("查询依据不明，查询他人档案须提供委托书、死亡证明及亲属关系证明或调查函")
    if ctx.applicant.kind == "person" and subject == ctx.applicant.id_number:
        return CheckResult.warn("档案当事人即申请人本人，应选择“本人查询”")
    missing = [name for code, name in needed if ctx.materials.get(code) not in PRESENT]
    if missing:
        return CheckResult.block(f"查询他人档案须提供{'和'.join(missing)}")
    return CheckResult.warn("查询他人档案，须由区档案馆审批人员审核查询依据")


QUERY_BASIS = Check("archive_query.basis", "查询依据核查", _basis,
                    description="本人查询核对身份；查询他人档案核对委托书、死亡证明及亲属关系证明或调查函")
