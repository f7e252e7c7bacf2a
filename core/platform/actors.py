"""Who acts on an application: staff (:class:`User`), a citizen, or the system itself.

``actor_key`` is how the audit log and document records name them (``user:5``, ``citizen:3``, ``system``).
"""
from __future__ import annotations
import logging
from core.platform.models import (Citizen, User)
log = logging.getLogger(__name__)


class SystemActor:
    """The system itself (scheduled jobs)."""

    key = "system"


SYSTEM = SystemActor()


Actor = User | Citizen | SystemActor


def actor_key(actor: Actor) -> str:
    if isinstance(actor, User):
        return f"user:{actor.id}"
    if isinstance(actor, Citizen):
        return f"citizen:{actor.id}"
    return "system"
