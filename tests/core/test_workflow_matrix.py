"""Every state × action × role: allowed ones succeed and are audited; all others fail with
a clear error and change nothing (DESIGN §4)."""
import pytest

from core import acceptance, approval
from core.platform.errors import QuankeError
from core.testing import WORLD_STAFF, drive_to, snapshot

STATES = ["draft", "submitted", "correction_requested", "not_accepted", "accepted",
          "accepted+paused", "in_review", "in_review+paused", "approved", "rejected",
          "issued", "delivered", "withdrawn"]
ROLES = ["citizen", "other_citizen", *WORLD_STAFF]
COUNTERS = {"counter", "counter_b", "acceptor"}          # at centres authorised for the service
ALL_COUNTERS = COUNTERS | {"counter_unauth"}             # incl. a station not authorised
RECEIVING = {"counter", "acceptor"}                       # at the centre the application was filed at
APPROVERS = {"approver", "approver2", "lead"}            # approvers of the department (not the acceptor)
RUNNING = {"accepted", "accepted+paused", "in_review", "in_review+paused"}


def _act(world, action):
    q = world.quanke
    other = world.approver2.id
    return {
        "submit": lambda actor, a: acceptance.submit_application(q, actor, a),
        "accept": lambda actor, a: acceptance.accept(q, actor, a),
        "return": lambda actor, a: acceptance.return_for_correction(q, actor, a, defects={"id_proof": "复印件模糊"}),
        "refuse": lambda actor, a: acceptance.refuse(q, actor, a, reasons="不属于受理范围"),
        "resubmit": lambda actor, a: acceptance.resubmit(q, actor, a),
        "claim": lambda actor, a: approval.claim(q, actor, a),
        "release": lambda actor, a: approval.release(q, actor, a),
        "assign": lambda actor, a: approval.assign(q, actor, a, approver_id=other),
        "approve": lambda actor, a: approval.approve(q, actor, a),
        "reject": lambda actor, a: approval.reject(q, actor, a, reasons="条件不符"),
        "issue": lambda actor, a: approval.issue(q, actor, a),
        "deliver": lambda actor, a: acceptance.deliver(q, actor, a, recipient_id_number=world.citizen_id_number),
        "withdraw": lambda actor, a: acceptance.withdraw(q, actor, a, reason="申请人要求撤回"),
        "pause": lambda actor, a: approval.pause(q, actor, a, reason="等待专家意见"),
        "resume": lambda actor, a: approval.resume(q, actor, a),
        "extend": lambda actor, a: approval.extend(q, actor, a, days=3, reason="情况复杂"),
    }[action]


def expected(action: str, state: str, role: str) -> bool:
    """The rules, written out independently of the implementation."""
    paused = state.endswith("+paused")
    base = state.split("+")[0]
    if action == "submit":
        return state == "draft" and role == "citizen"
    if action in ("accept", "return", "refuse"):      # the receiving centre only (issue 23 #1)
        return state == "submitted" and role in RECEIVING
    if action == "resubmit":
        return state == "correction_requested" and role in RECEIVING | {"citizen"}
    if action == "claim":
        return state == "accepted" and role in APPROVERS
    if action == "release":   # claimed by `approver`; a paused one may be handed back too
        return base == "in_review" and role in {"approver", "lead"}
    if action == "assign":    # to approver2
        return base in ("accepted", "in_review") and role == "lead"
    if action in ("approve", "reject"):
        return state == "in_review" and role == "approver"
    if action == "issue":
        return state == "approved" and role == "approver"
    if action == "deliver":
        return state == "issued" and role in ALL_COUNTERS
    if action == "withdraw":
        if state == "draft":
            return role == "citizen"
        return base in ("submitted", "correction_requested", "accepted", "in_review") and (
            role == "citizen" or role in RECEIVING)
    if action == "pause":
        if state == "accepted":
            return role in APPROVERS
        return state == "in_review" and role in {"approver", "lead"}
    if action == "resume":
        if state == "accepted+paused":
            return role in APPROVERS
        return state == "in_review+paused" and role in {"approver", "lead"}
    if action == "extend":
        return base in ("accepted", "in_review") and role == "lead"
    raise AssertionError(action)


ACTIONS = ["submit", "accept", "return", "refuse", "resubmit", "claim", "release", "assign",
           "approve", "reject", "issue", "deliver", "withdraw", "pause", "resume", "extend"]


def _actor(world, role):
    return world.citizens[role] if role in world.citizens else world.users[role]


@pytest.mark.parametrize("state", STATES)
def test_every_action_and_role_from(state, world):
    world.citizen_id_number = _citizen_id(world)
    shared = drive_to(world, state)          # failures all run on this one: they change nothing
    failures, successes = [], []
    for action in ACTIONS:
        for role in ROLES:
            allowed = expected(action, state, role)
            target = drive_to(world, state) if allowed else shared
            before = snapshot(world.quanke, target.id)
            try:
                _act(world, action)(_actor(world, role), target.id)
            except QuankeError as exc:
                if allowed:
                    failures.append(f"{action} by {role}: refused ({exc.code}: {exc.message})")
                elif snapshot(world.quanke, target.id) != before:
                    failures.append(f"{action} by {role}: refused but changed something")
                elif not exc.message or not exc.code:
                    failures.append(f"{action} by {role}: error without code or message")
            else:
                if not allowed:
                    failures.append(f"{action} by {role}: allowed but should be refused")
                    shared = drive_to(world, state)
                    continue
                after = snapshot(world.quanke, target.id)
                if after["audit"] <= before["audit"]:
                    failures.append(f"{action} by {role}: succeeded without an audit event")
                successes.append((action, role))
    assert not failures, "\n".join(failures)
    # the matrix is not vacuous: every non-final state has some allowed action
    if state not in ("not_accepted", "delivered", "withdrawn", "rejected"):
        assert successes


def _citizen_id(world):
    with world.quanke.db.session() as session:
        from core.platform.models import Applicant
        return session.get(Applicant, world.citizen.applicant_id).id_number
