"""What the time bank's codes read as (the ``display_names`` hook)."""
from __future__ import annotations

from plugins.timebank.domain.ledger.kinds import ACCOUNT_LABELS, JOURNAL_LABELS

OPERATIONS = {
    "timebank.confirmation_reversed": "冲正已确认的服务时长", "timebank.follow_up": "服务回访",
    "timebank.goods_added": "慈善超市上架商品", "timebank.goods_restocked": "慈善超市补货",
    "timebank.holder_opened": "开立时间账户", "timebank.holder_updated": "修改时间账户", "timebank.kind_set": "设置服务类别",
    "timebank.left": "退出时间银行", "timebank.loan_exception": "借贷例外审批",
    "timebank.monthly_report": "生成月度报告", "timebank.offer_declined": "志愿者婉拒",
    "timebank.offers_sent": "向志愿者发出邀约", "timebank.request_accepted": "志愿者接单",
    "timebank.request_closed": "关闭服务需求", "timebank.request_confirmed": "确认服务时长",
    "timebank.request_filed": "提交服务需求", "timebank.stars_awarded": "评定星级",
    "timebank.statement_issued": "出具时间账户对账单", "timebank.profile_updated": "更新志愿者资料",
    "timebank.relation_added": "登记亲属关系", "timebank.team_created": "成立志愿服务队",
    "timebank.team_member": "调整服务队成员", "timebank.training_recorded": "登记志愿者培训",
    "timebank.volunteer_certified": "志愿者注册认证",
    **{f"timebank.{kind}": label for kind, label in JOURNAL_LABELS.items()},
}
OBJECTS = {
    "tb_goods": "慈善超市商品", "tb_holder": "时间账户", "tb_journal": "时间账户记账",
    "tb_monthly_report": "月度报告", "tb_request": "服务需求", "tb_service_kind": "服务类别",
    "tb_star_award": "星级评定", "tb_statement": "对账单", "tb_team": "志愿服务队",
    "tb_training": "志愿者培训", "tb_volunteer": "志愿者",
}
STATUSES = {
    "open": "待接单", "assigned": "已接单", "confirmed": "已确认时长", "rated": "已回访",
    "cancelled": "已取消", "not_served": "未服务", "offered": "已邀约", "accepted": "已接受",
    "declined": "已婉拒", "closed": "已关闭", **{k: v for k, v in ACCOUNT_LABELS.items()},
}
DATA_KEYS = {
    "minutes": "时长（分钟）", "community": "社区", "volunteer": "志愿者", "volunteers": "志愿者",
    "team": "服务队", "stars": "星级", "month": "月份", "year": "年度", "category": "类别",
    "memo": "摘要", "payer": "支付方式", "stock": "库存", "price": "价格（分钟）", "relation": "关系",
}


def display_names() -> dict:
    return {"audit_operation": OPERATIONS, "object_type": OBJECTS, "status": STATUSES,
            "data_key": DATA_KEYS}
