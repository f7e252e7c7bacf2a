"""Approval (审批), the back office's power: each department's approvers claim from their
queue, re-check, decide and issue; leads assign, pause and extend the legal clock.

Who may decide: :mod:`~core.approval.powers`. The state table they all follow:
:mod:`core.statemachine`.
"""
from core.approval.claims import assign, claim, release
from core.approval.deadline_clock import extend, pause, resume
from core.approval.decisions import approve, approve_and_issue, issue, recheck, reject
from core.approval.overdue import mark_overdue, sweep_overdue
from core.statemachine.checks import evidence_changes

__all__ = ["approve", "approve_and_issue", "assign", "claim", "evidence_changes", "extend", "issue", "mark_overdue",
           "pause", "recheck", "reject", "release", "resume", "sweep_overdue"]
