"""What the legal aid plugin's codes read as (the ``display_names`` hook)."""
from __future__ import annotations

OPERATIONS = {
    "la_aid_terminated": "终止法律援助", "la_assignment_ended": "结束律师指派",
    "la_conflict_declared": "律师申报利益冲突", "la_correction_carried_out": "按异议决定纠正",
    "la_credit_record": "记入信用记录", "la_lawyer_active": "律师恢复接案",
    "la_lawyer_inactive": "律师暂停接案", "la_lawyer_added": "登记援助律师",
    "la_lawyer_assigned": "指派律师", "la_lawyer_reassigned": "更换律师",
    "la_letter_replaced": "重新出具决定书", "la_objection_decided": "异议审查决定",
    "la_objection_lodged": "提出异议", "la_refusal_letter": "出具不予法律援助决定书",
    "la_standards_loaded": "载入经济困难标准", "la_urgent_aid": "先行提供法律援助",
    "la_urgent_confirmed": "确认先行援助", "la_urgent_ended": "先行援助结束",
}
OBJECTS = {
    "la_assignment": "律师指派", "la_hardship_standards": "经济困难标准", "la_lawyer": "援助律师",
    "la_objection": "异议", "la_termination": "终止援助", "la_urgent_aid": "先行援助",
}
DATA_KEYS = {"lawyer": "律师", "lawyer_name": "律师", "firm": "律师事务所", "basis": "依据",
             "deadline_on": "期限", "path": "审查路径", "category": "援助事项", "received_on": "收到申请日",
             "household_size": "家庭人口", "household_income": "家庭月收入合计（元）",
             "per_head": "人均月收入（元）"}
#: the check's outcomes and the review path it took (the evidence's 名单版本 column shows the
#: path when no hardship standard was used: 《法律援助法》 articles the path rests on)
RESULTS = {"means_test": "经济困难审查", "none": "无", "eligible": "符合条件", "ineligible": "不符合条件",
           "undetermined": "待审查",
           "notification": "办案机关通知指派，不审查经济状况（第二十五条、第二十八条）",
           "art32": "免予审查经济困难（第三十二条）",
           "art42": "免予核查经济困难（第四十二条）",
           "art24_other": "因经济困难以外的原因申请（第二十四条）"}


def display_names() -> dict:
    from plugins.legal_aid.documents.letters import KINDS
    from plugins.legal_aid.domain.law import CATEGORIES
    return {"audit_operation": OPERATIONS, "object_type": OBJECTS, "data_key": DATA_KEYS,
            "document_kind": {code: title for code, (title, _suffix, _dept) in KINDS.items()},
            "check_result": RESULTS,
            "status": {"urgent": "先行援助", "grant": "给予援助", "correction": "纠正", **RESULTS,
                       **{code: c.label for code, c in CATEGORIES.items()}}}
