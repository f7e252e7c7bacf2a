"""Deprecated: The 0.1 home of the state machine's actions; now :mod:`core.acceptance`, :mod:`core.approval`
and :mod:`core.statemachine`.

Kept for one minor version; every name warns (``DeprecationWarning``) with the import to use.
"""
from core import acceptance, approval, deadlines
from core.approval import overdue
from core.compat import forward
from core.papers import issuance
from core.platform import actors
from core.statemachine import checks, states

_HOMES = {name: (acceptance, name) for name in acceptance.__all__}
_HOMES.update({name: (approval, name) for name in approval.__all__})
_HOMES.update({name: (actors, name) for name in ("SYSTEM", "SystemActor", "Actor", "actor_key")})
_HOMES.update({"ACTION_FROM_STATES": (states, "ACTION_FROM_STATES"),
               "ACTION_LABELS": (states, "ACTION_LABELS"), "run_checks": (checks, "run_checks"),
               "due_date_explanation": (deadlines, "due_date_explanation"),
               "documents_for": (issuance, "documents_for"), "mark_overdue": (overdue, "mark_overdue")})
__getattr__, __dir__ = forward(__name__, _HOMES)
