"""English names of the error codes of the legal-aid plugin (法律援助)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

NAMES = {
    "aid_not_in_force": _l("该案件没有正在提供的法律援助，不能终止"),
    "already_assigned": _l("该案件已有承办律师，如需更换请改派"),
    "already_corrected": _l("已执行改正"),
    "date_in_future": _l("发现日期不能晚于今天"),
    "deadline_passed": _l("时效或期限已经届满，不属于先行提供法律援助的情形"),
    "deadline_required": _l("请填写时效或期限届满日"),
    "facts_required": _l("请写明查明的事实"),
    "invalid_date": _l("请填写有效的日期"),
    "invalid_licence_no": _l("律师执业证号应为17位数字"),
    "invalid_standards_file": _l("请求体应为不超过1MB的 CSV 文件"),
    "invalid_termination_reason": _l("终止法律援助的理由不正确"),
    "invalid_urgent_reason": _l("先行提供法律援助的理由不正确"),
    "lawyer_conflict": _l("不能指派…律师：…"),
    "lawyer_exists": _l("执业证号…已在名册中"),
    "lawyer_not_available": _l("所选律师不在名册中或已停用"),
    "lawyer_not_found": _l("律师不存在"),
    "no_active_assignment": _l("该案件没有在办的指派，不能改派"),
    "no_correction_ordered": _l("司法行政部门未责令改正，无需执行"),
    "no_lawyer_available": _l("没有可指派的法律援助律师（…），请补充名册后再指派"),
    "not_eligible": _l("不符合条件"),
    "not_urgent": _l("距时效或期限届满尚有…日，不足…日的才可以先行提供法律援助（…）"),
    "nothing_to_object": _l("没有可以提出异议的决定"),
    "objection_decided": _l("该异议已作出决定"),
    "objection_not_allowed": _l("不能对此提出异议"),
    "objection_not_found": _l("异议不存在"),
    "objection_pending": _l("已对该决定提出异议，司法行政部门正在审查"),
    "same_lawyer": _l("改派的律师与原承办律师相同"),
    "termination_not_found": _l("终止决定不存在"),
    "urgent_aid_exists": _l("已决定先行提供法律援助"),
}
