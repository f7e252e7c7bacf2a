"""English names of the error codes of the business-licence plugin (个体工商户登记)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

NAMES = {
    "case_not_found": _l("文书不存在"),
    "credit_code_collision": _l("统一社会信用代码分配多次冲突，请稍后重试"),
    "credit_code_kind": _l("代码分配方返回的统一社会信用代码无效"),
    "filing_not_found": _l("备案记录不存在"),
    "material_not_needed": _l("仅销售预包装食品只需备案，无需提交许可材料"),
    "rectification_period_running": _l("整改期限尚未届满，不能认定为未整改"),
    "bundle_half_accepted": _l("营业执照申请已受理（…），但许可申请受理失败：…"),
    "bundle_not_acceptable": _l("联办申请不能一并受理"),
    "bundle_not_found": _l("联办编号…不存在"),
    "business_not_active": _l("统一社会信用代码…对应的个体工商户不存在或已注销"),
    "business_not_found": _l("名录中没有该统一社会信用代码"),
    "business_pending": _l("许可…对应的个体工商户尚未登记"),
    "change_pending": _l("…的登记变更尚未写入名录"),
    "invalid_outcome": _l("…的结果只能是：…"),
    "not_approved": _l("申请…尚未批准"),
    "note_too_long": _l("核查情况最多2000字"),
    "register_pending": _l("…：…尚未写入登记名录，证照稍后生成"),
    "task_closed": _l("该任务已办结，不能重复登记"),
    "task_not_found": _l("核查任务不存在"),
}
