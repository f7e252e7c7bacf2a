"""The state table (DESIGN §4): from which states each action may start, and its label.

Acceptance and approval both read this one table; the role rules live with each action
(:mod:`core.acceptance.powers`, :mod:`core.approval.powers`).
"""
from __future__ import annotations
import logging
from core.platform.errors import InvalidState
from core.platform.models import (Application, State)
log = logging.getLogger(__name__)


#: State each action starts from (the role rules live in the action functions).
ACTION_FROM_STATES: dict[str, frozenset[State]] = {
    "submit": frozenset({State.DRAFT}),
    "accept": frozenset({State.SUBMITTED}),
    "deem_accept": frozenset({State.SUBMITTED}),
    "return": frozenset({State.SUBMITTED}),
    "refuse": frozenset({State.SUBMITTED}),
    "resubmit": frozenset({State.CORRECTION_REQUESTED}),
    "claim": frozenset({State.ACCEPTED}),
    "release": frozenset({State.IN_REVIEW}),
    "assign": frozenset({State.ACCEPTED, State.IN_REVIEW}),
    "approve": frozenset({State.IN_REVIEW}),
    "reject": frozenset({State.IN_REVIEW}),
    "issue": frozenset({State.APPROVED}),
    "deliver": frozenset({State.ISSUED}),
    "withdraw": frozenset({State.DRAFT, State.SUBMITTED, State.CORRECTION_REQUESTED,
                           State.ACCEPTED, State.IN_REVIEW}),
    "pause": frozenset({State.ACCEPTED, State.IN_REVIEW}),
    "resume": frozenset({State.ACCEPTED, State.IN_REVIEW}),
    "extend": frozenset({State.ACCEPTED, State.IN_REVIEW}),
}


ACTION_LABELS = {
    "file": "登记申请", "submit": "提交", "accept": "受理", "deem_accept": "视为受理", "return": "一次性告知补正",
    "refuse": "不予受理", "resubmit": "补正后重新提交", "claim": "认领", "release": "退回待认领",
    "assign": "分派", "approve": "批准", "reject": "不予批准", "issue": "出证", "deliver": "送达",
    "withdraw": "撤回", "pause": "中止计时", "resume": "恢复计时", "extend": "延长期限",
    "mark_overdue": "标记超期", "recheck": "重新核查", "attach_material": "补充材料",
    "identity_step": "身份核验", "recompute_due": "重新计算期限",
    "hand_over": "移交（首问负责）",
}


def require_state(app: Application, action: str) -> None:
    allowed = ACTION_FROM_STATES[action]
    if State(app.state) not in allowed:
        raise InvalidState(
            f"申请当前状态为“{State(app.state).label}”，不能{ACTION_LABELS[action]}",
            code="invalid_state", details={"state": app.state, "action": action})


ACTION_LABELS["update_draft"] = "修改草稿"
