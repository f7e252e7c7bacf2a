"""Kinds of accounts and journals with their labels, which accounts each kind of journal may
take minutes from, the accounts that never go below zero, and the account keys."""
from __future__ import annotations

BUCKETS = ("service", "goods", "cash")
HOLDER_KINDS = BUCKETS + ("loan",)
COMMUNITY_KINDS = ("issued", "redeemed", "supermarket", "cash_paid", "donation", "escrow", "interbank")
ACCOUNT_LABELS = {
    "service": "服务时长（70%）", "goods": "慈善超市兑换（20%）", "cash": "现金补贴（10%）",
    "loan": "借贷时长", "issued": "存入来源", "redeemed": "服务支取", "supermarket": "慈善超市",
    "cash_paid": "现金结算", "donation": "社区捐赠池", "escrow": "预约冻结", "interbank": "通兑清算",
}
JOURNAL_LABELS = {
    "service": "服务存入", "deposit": "活动存入", "hold": "预约冻结", "release": "冻结释放",
    "exchange": "超市兑换", "cash": "现金结算", "transfer": "亲属转赠", "loan": "借贷",
    "repay": "主动还贷", "donate": "捐赠", "leave": "退出结清", "settlement": "通兑清算",
    "reversal": "冲正", "grant": "捐赠池资助",
}
#: Which of a holder's accounts each kind of journal may take minutes *from*: a goods
#: exchange only from the 20% bucket, a cash settlement only from the 10% bucket, …
HOLDER_DEBITS = {
    "hold": {"service"}, "transfer": {"service"}, "repay": {"service"}, "exchange": {"goods"},
    "cash": {"cash"}, "loan": {"loan"}, "donate": set(BUCKETS), "leave": set(BUCKETS),
    "reversal": set(HOLDER_KINDS),
}
#: Accounts that may never be negative.
NON_NEGATIVE = frozenset(BUCKETS + ("donation", "escrow"))


def holder_key(holder_id: int, kind: str) -> str:
    return f"h:{holder_id}:{kind}"


def community_key(community: str, kind: str) -> str:
    return f"c:{community}:{kind}"

