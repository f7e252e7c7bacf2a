"""不见面审批的身份核验 — the remote identity steps in the web: the citizen's camera page (face),
the phone code (sms) and the signature on the commitment letter (esign), plus the counter's
video-check review (视频核验) of borderline face checks.

Views only translate HTTP into calls of :mod:`core.identity` (which checks ownership, state,
limits and audits every step through :mod:`core.workflow`); nothing here changes state itself.
Each endpoint is its own function so rate limits (Flask-Limiter) can decorate it.

Where it lives: :mod:`.blueprint` (the blueprint, shared helpers and labels),
:mod:`.face_check`, :mod:`.phone` and :mod:`.commitment` (the citizen's three steps) and
:mod:`.counter_review` (the counter's video check and evidence) and :mod:`.enrolment` (人像登记 at
the counter, which the face check compares with).
"""
from __future__ import annotations

# The route modules register their views on ``bp`` when imported.
from . import commitment, counter_review, enrolment, face_check, phone  # noqa: F401
from .blueprint import BURST_FRAMES, BURST_INTERVAL_MS, DATA_URL_PREFIX, REASON_TEXT, STATUS_NAMES, bp
