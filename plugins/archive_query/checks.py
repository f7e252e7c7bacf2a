"""Eligibility to query an archive: self, or a legitimate basis backed by its material.

* basis "self": the subject must be the applicant (resident ID); a different registered
  name is only a warning (old records, name changes).
* another person's records need the material for the basis (:mod:`.domain.basis`) — a
  notarised power of attorney; the death certificate *and* the kinship proof for the close
  relative named; a court's letter, or a lawyer's letter *with* a court or case document —
  and then go to the archive bureau's approver, after the counter has compared the materials
  with what the application states (a warning the counter must acknowledge).

The same gaps are handed to the core by the ``validate_application`` hook, so at the counter
they arrive as missing materials on the one-time correction notice; this check blocks on them
again at decision time, when a material may have been marked defective since.
"""
from core.api import Check, CheckContext, CheckResult

from plugins.archive_query.domain.basis import (
    CLOSE_RELATIVES,
    INVESTIGATOR_LABELS,
    RELATION_LABELS,
    material_gaps,
    provided_codes,
)

BASES_FOR_OTHERS = ("attorney", "deceased_relative", "investigation")


def _what_to_compare(form: dict) -> str:
    """What the counter must compare with the materials, for this basis (the warning)."""
    basis = form.get("basis")
    if basis == "deceased_relative":
        relation = RELATION_LABELS.get(form.get("relation") or "")
        if relation is None:  # filed before the relation was asked: the approver must see it
            return "申请未载明申请人与档案当事人的近亲属关系，请核对亲属关系证明"
        return (f"请核对死亡证明和亲属关系证明：申请人是档案当事人的{relation}"
                f"（近亲属，{CLOSE_RELATIVES.short}）")
    if basis == "investigation":
        investigator = form.get("investigator")
        if investigator == "lawyer":
            return (f"请核对律师事务所调查函和法院或案件文书，"
                    f"文书载明的案号应与申请填写的“{form.get('case_number', '')}”一致")
        if investigator not in INVESTIGATOR_LABELS:
            return "申请未载明调查人是人民法院还是律师；律师调查须另附法院或案件文书，请核对"
        return "请核对人民法院出具的调查函"
    return "请核对经公证的委托书"


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
    if basis not in BASES_FOR_OTHERS:
        return CheckResult.block("查询依据不明，查询他人档案须提供委托书、死亡证明及亲属关系证明或调查函")
    if ctx.applicant.kind == "person" and subject == ctx.applicant.id_number:
        return CheckResult.warn("档案当事人即申请人本人，应选择“本人查询”")
    gaps = material_gaps(ctx.form_data, provided_codes(ctx.materials))
    if gaps:
        return CheckResult.block(*(f"缺少{ctx.service.material(code).name}：{why}"
                                   for code, why in gaps.items()))
    return CheckResult.warn(_what_to_compare(ctx.form_data),
                            "查询他人档案，须由区档案馆审批人员审核查询依据")


QUERY_BASIS = Check("archive_query.basis", "查询依据核查", _basis,
                    description="本人查询核对身份；查询他人档案核对委托书、死亡证明及近亲属关系证明，"
                                "或法院调查函、律师调查函及法院或案件文书")
