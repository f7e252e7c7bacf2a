"""市民办事 — the citizen portal: services and guides, apply, track, correct, rate, book.

A citizen only ever sees their own applications (web.access.can_view); every change goes
through core.workflow, which checks ownership again.

Where it lives: :mod:`.blueprint` (the blueprint, the identity steps, shared helpers),
:mod:`.home_and_apply` (home, profile, services, applying), :mod:`.applications` (a citizen's
application and its actions) and :mod:`.booking` (appointments).
"""
from __future__ import annotations

# The route modules register their views on ``bp`` when imported.
from . import applications, booking, consents, home_and_apply  # noqa: F401
from .blueprint import IDENTITY_STEP_NAMES, IDENTITY_STEP_ORDER, IDENTITY_STEP_VIEWS, bp
from .home_and_apply import quanke_template
