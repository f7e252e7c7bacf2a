"""管理 — users, roles and centre authorisations; statistics; follow-ups; the audit log.

Where it lives: :mod:`.blueprint` (the blueprint), :mod:`.users_and_centres` (users, roles,
tokens, centre authorisations) and :mod:`.oversight` (follow-ups, statistics, the audit log).
"""
from __future__ import annotations

# The route modules register their views on ``bp`` when imported.
from . import oversight, users_and_centres  # noqa: F401
from .blueprint import bp
