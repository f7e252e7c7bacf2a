"""Who may record an inspection's result, which results a task allows in its present state,
and what input each needs. The statute (告知承诺 guidance, LAW.md) sets the order of things:
conditions not met → 限期整改; only when not corrected — or when the commitment was false —
revocation (a premises commitment: listing as abnormal) and a credit record.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.api import (
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    Role,
    User,
    parse_date,
    today,
)
from plugins.business_license.domain import catalog
from plugins.business_license.models import TASK_KINDS, InspectionTask

COMMITMENT_KINDS = ("premises_commitment", "permit_commitment")
#: (task kind group, task status) → outcome → label
OUTCOMES = {
    ("routine", "open"): {"normal": "检查正常", "problem": "发现问题"},
    ("commitment", "open"): {"kept": "履行承诺", "broken": "不符合承诺条件（责令限期整改）",
                             "false": "承诺严重不实"},
    ("commitment", "rectifying"): {"corrected": "已按期整改，符合承诺条件", "not_corrected": "逾期未整改"},
}
#: outcome → the task's status afterwards
NEXT_STATUS = {"normal": "done", "problem": "done", "kept": "kept", "broken": "rectifying",
               "false": "broken", "corrected": "corrected", "not_corrected": "broken"}
NOTE_REQUIRED = {"problem", "broken", "false", "not_corrected"}
#: A plausibility bound on the period the inspector sets (the guidance sets none): a typo
#: check, like the plausible capital on the form, not a rule of law.
LONGEST_PERIOD = dt.timedelta(days=365)
DEPARTMENT_NAMES = dict([catalog.MARKET_REGULATION, catalog.FOOD_SAFETY])


def outcomes_for(task: InspectionTask) -> dict[str, str]:
    group = "commitment" if task.kind in COMMITMENT_KINDS else "routine"
    return OUTCOMES.get((group, task.status), {})


def may_record(user: User, department: str) -> bool:
    """Inspectors and the lead of ``department``, centre and system administrators."""
    return (user.has_role(Role.INSPECTOR, department) or user.has_role(Role.DEPT_LEAD, department)
            or user.has_role(Role.SYS_ADMIN) or user.has_role(Role.CENTRE_ADMIN))


def inspector(session, actor, task: InspectionTask) -> User:
    user = session.get(User, actor.id) if isinstance(actor, User) else None
    if user is None or not user.active:
        raise Forbidden("只有工作人员可以登记核查结果", code="forbidden_role")
    if not may_record(user, task.department_code):
        raise Forbidden(f"只有{DEPARTMENT_NAMES.get(task.department_code, task.department_code)}"
                        "的执法检查人员或部门负责人可以登记核查结果", code="forbidden_role")
    return user


def load(session, task_id: int, *, lock: bool) -> InspectionTask:
    stmt = select(InspectionTask).where(InspectionTask.id == task_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    task = session.scalars(stmt).first()
    if task is None:
        raise NotFound("核查任务不存在", code="task_not_found")
    return task


def validate(task: InspectionTask, outcome: str, note: str, deadline) -> tuple[str, dt.date | None]:
    """The cleaned note and rectification deadline, or a clear error naming the field."""
    allowed = outcomes_for(task)
    if not allowed:
        raise InvalidState("该任务已办结，不能重复登记", code="task_closed")
    if outcome not in allowed:
        raise InvalidInput(f"{TASK_KINDS[task.kind]}当前只能登记：{'、'.join(allowed.values())}",
                           code="invalid_outcome", field="outcome")
    note = (note or "").strip()
    if outcome in NOTE_REQUIRED and len(note) < 5:
        raise InvalidInput("请写明核查发现的具体情况（至少5个字）", code="note_required", field="note")
    if len(note) > 2000:
        raise InvalidInput("核查情况最多2000字", code="note_too_long", field="note")
    if outcome != "broken":
        return note, None
    if deadline in (None, ""):
        raise InvalidInput("责令限期整改须确定整改期限（年-月-日）", code="deadline_required", field="deadline")
    try:
        day = deadline if isinstance(deadline, dt.date) else parse_date(str(deadline), field="deadline")
    except InvalidInput:
        raise InvalidInput("整改期限应为“年-月-日”格式的日期，如2027-01-31", code="invalid_deadline",
                           field="deadline") from None
    if day <= today():
        raise InvalidInput("整改期限应晚于今天", code="invalid_deadline", field="deadline")
    if day - today() > LONGEST_PERIOD:
        raise InvalidInput("整改期限超过一年，明显不合理，请核对", code="invalid_deadline", field="deadline")
    return note, day
