"""The core's enumerations and their Chinese labels: staff roles, application states, centre
levels and material statuses.
"""
from __future__ import annotations

import enum


class Role(str, enum.Enum):
    """Staff roles. Approver, department lead and inspector are scoped to one department
    (an inspector — 执法检查人员, of the street's enforcement team — records the results of the
    department's inspection and commitment-verification tasks)."""

    COUNTER = "counter"            # 全科社工 (front desk, accepts)
    AGENT = "agent"                # 代办员 (files on a citizen's behalf)
    APPROVER = "approver"          # 审批人员 of a department
    DEPT_LEAD = "dept_lead"        # 部门负责人: assigns, extends deadlines
    CENTRE_ADMIN = "centre_admin"  # 中心管理员
    SYS_ADMIN = "sys_admin"        # 系统管理员
    AUDITOR = "auditor"            # 审计/监察
    INSPECTOR = "inspector"        # 执法检查人员 of a department: records inspection results

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COUNTER: "全科社工", Role.AGENT: "代办员", Role.APPROVER: "审批人员",
    Role.DEPT_LEAD: "部门负责人", Role.CENTRE_ADMIN: "中心管理员",
    Role.SYS_ADMIN: "系统管理员", Role.AUDITOR: "审计人员", Role.INSPECTOR: "执法检查人员",
}
DEPARTMENT_ROLES = frozenset({Role.APPROVER, Role.DEPT_LEAD, Role.INSPECTOR})


class State(str, enum.Enum):
    """Application states (DESIGN §4)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CORRECTION_REQUESTED = "correction_requested"
    NOT_ACCEPTED = "not_accepted"
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.DRAFT: "草稿", State.SUBMITTED: "已提交待受理", State.CORRECTION_REQUESTED: "待补正",
    State.NOT_ACCEPTED: "不予受理", State.ACCEPTED: "已受理", State.IN_REVIEW: "审批中",
    State.APPROVED: "已批准", State.REJECTED: "不予批准", State.ISSUED: "已出证",
    State.DELIVERED: "已送达", State.WITHDRAWN: "已撤回",
}
FINAL_STATES = frozenset({State.NOT_ACCEPTED, State.REJECTED, State.DELIVERED, State.WITHDRAWN})


class CentreLevel(str, enum.Enum):
    DISTRICT = "district"    # 区政务服务中心
    STREET = "street"        # 街道便民服务中心
    COMMUNITY = "community"  # 社区便民服务站


class MaterialStatus(str, enum.Enum):
    PAPER = "paper"          # 纸质原件已收
    SCAN = "scan"            # 电子件/扫描件
    MISSING = "missing"      # 缺少
    DEFECTIVE = "defective"  # 有瑕疵，需补正
