"""The one state machine every service's applications go through (DESIGN §4).

Each action is one function and one database transaction: it checks the actor's role and
the application's state, changes the application, writes an audit event and any
notification (outbox) in that same transaction, and — after commit — tells plugins through
the ``application_event`` hook. Views never change state themselves; they call these.

* :mod:`~core.statemachine.states` — the table: which action starts from which state;
* :mod:`~core.statemachine.transitions` — the transaction wrapper every action runs in;
* :mod:`~core.statemachine.guards`, :mod:`~core.statemachine.notices`,
  :mod:`~core.statemachine.checks` — what several actions share.

The actions themselves live with the power that takes them: :mod:`core.acceptance` (the
front desk: file, accept, return, refuse, deliver) and :mod:`core.approval` (the back
office: claim, decide, issue, pause, extend). Acceptance and approval are separate powers
(受理权与审批权分离): whoever accepted an application may never decide it.
"""
from core.statemachine.states import ACTION_FROM_STATES, ACTION_LABELS

__all__ = ["ACTION_FROM_STATES", "ACTION_LABELS"]
