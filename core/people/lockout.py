"""Staff account lock-out after repeated failed sign-ins (登录失败锁定).

The audit log is the record: every sign-in attempt is already audited, so lock-out state is
derived from the user's own events (``subject="user:<id>"``, an indexed column) rather than
kept in a second place that could disagree with it:

* ``login_failed`` events after the last ``login`` / ``user_locked`` / ``user_unlocked``
  count; reaching ``LOGIN_MAX_FAILURES`` within ``LOGIN_FAILURE_WINDOW_MINUTES`` records
  ``user_locked``;
* the account is locked for ``LOGIN_LOCK_MINUTES`` after that event, unless a
  ``user_unlocked`` (an administrator, on the staff admin page) comes after it.

While locked, even the right password is refused with the same message as a wrong one, so
the page never tells whether an account exists or is locked.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform import audit
from core.platform.audit import AuditEvent
from core.platform.clock import now

DEFAULTS = {"LOGIN_MAX_FAILURES": 5, "LOGIN_FAILURE_WINDOW_MINUTES": 15, "LOGIN_LOCK_MINUTES": 15}
_EVENTS = ("login", "login_failed", "user_locked", "user_unlocked")


@dataclass(frozen=True)
class Policy:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    lock: dt.timedelta = dt.timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: dict) -> "Policy":
        def get(key):
            return int(config.get(key) or DEFAULTS[key])
        return cls(get("LOGIN_MAX_FAILURES"), dt.timedelta(minutes=get("LOGIN_FAILURE_WINDOW_MINUTES")),
                   dt.timedelta(minutes=get("LOGIN_LOCK_MINUTES")))


def subject(user_id: int) -> str:
    return f"user:{user_id}"


@dataclass(frozen=True)
class State:
    locked_until: dt.datetime | None
    recent_failures: int

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def state(session: Session, user_id: int, policy: Policy, *, at: dt.datetime | None = None) -> State:
    at = at or now()
    events = session.execute(
        select(AuditEvent.action, AuditEvent.at)
        .where(AuditEvent.subject_index == subject(user_id), AuditEvent.action.in_(_EVENTS))
        .order_by(AuditEvent.id.desc()).limit(policy.max_failures + 1)).all()
    failures = 0
    for action, when in events:
        if action == "user_locked":
            until = when + policy.lock
            return State(until if until > at else None, failures)
        if action in ("login", "user_unlocked"):
            break
        if action == "login_failed" and when > at - policy.window:
            failures += 1
    return State(None, failures)


def record_attempt(session: Session, user_id: int, ok: bool, policy: Policy, *, ip: str = "") -> State:
    """Audit one sign-in of a known account; lock it when this failure is one too many.

    Call with the password already checked; ``ok`` is ignored (treated as failure) when the
    account is locked. Returns the state after the attempt.
    """
    current = state(session, user_id, policy)
    if current.locked:
        audit.record(session, actor="anonymous", action="login_refused_locked", object_type="user",
                     object_id=user_id, subject=subject(user_id), data={"ip": ip})
        return current
    if ok:
        audit.record(session, actor=subject(user_id), action="login", object_type="user",
                     object_id=user_id, subject=subject(user_id), data={"ip": ip})
        return State(None, 0)
    audit.record(session, actor="anonymous", action="login_failed", object_type="user",
                 object_id=user_id, subject=subject(user_id), data={"ip": ip})
    failures = current.recent_failures + 1
    if failures >= policy.max_failures:
        until = now() + policy.lock
        audit.record(session, actor="system", action="user_locked", object_type="user",
                     object_id=user_id, subject=subject(user_id),
                     data={"failures": failures, "until": until.isoformat(timespec="seconds")})
        return State(until, failures)
    return State(None, failures)


def unlock(session: Session, admin_id: int, user_id: int) -> None:
    """An administrator lifts a lock (audited)."""
    audit.record(session, actor=subject(admin_id), action="user_unlocked", object_type="user",
                 object_id=user_id, subject=subject(user_id))
