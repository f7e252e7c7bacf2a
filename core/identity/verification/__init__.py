"""Face verification of a remote applicant (人脸核验): a burst of frames, checked as a job.

Flow for the portal (see docs/identity.md):

1. :func:`start_face_check` — the browser sends a burst of JPEG/PNG frames taken while the
   page asks for a blink (``mode="camera"``), or one uploaded photo (``mode="upload"``, a
   fallback that can never pass liveness). Attempt limits are enforced here; the frames are
   stored with a ``pending`` check and :func:`run_face_check` is enqueued (rq with
   ``REDIS_URL``, inline otherwise). Returns :func:`face_check_status`'s dict.
2. :func:`face_check_status` — polled by the page until ``done``. It also heals: a check
   whose worker died (lease expired) is queued again, up to ``FACE_JOB_MAX_RUNS`` runs, then
   fails visibly (``error``, not counted against the limits); so no application waits on a
   lost job.
3. A ``passed`` check records the ``face`` step through
   :func:`core.acceptance.filing.record_identity_step`. A ``needs_review`` check (borderline distance,
   or a matching uploaded photo) waits for a counter worker's video check:
   :func:`review_queue`, :func:`review_face_check`.

The selfies are deleted when a check ends, whatever the outcome; the row keeps the frame
hashes, the scores and the reasons, and an audit event records the outcome.

Where it lives: :mod:`.evaluation` (the pure check of a burst), :mod:`.start` (starting a
check, attempt limits), :mod:`.job` (the rq job and the ``face`` step), :mod:`.status`
(polling and healing), :mod:`.review` (the counter's video check, evidence) and
:mod:`.views` (what a check looks like, who is staff).
"""
from __future__ import annotations

from core.identity.verification.evaluation import Outcome, _sha256, evaluate
from core.identity.verification.job import JOB, run_face_check
from core.identity.verification.review import (face_checks_for, recent_checks, review_face_check,
                                               review_queue)
from core.identity.verification.start import attempts_left, looks_like_image, start_face_check
from core.identity.verification.status import face_check_status, recover_stale_checks
from core.identity.verification.views import (EVIDENCE_ROLES, REVIEW_ROLES, STATUS_LABELS, TERMINAL,
                                              _is_staff, view)

__all__ = ["Outcome", "evaluate", "start_face_check", "run_face_check", "face_check_status",
           "recover_stale_checks", "review_queue", "recent_checks", "looks_like_image", "review_face_check", "face_checks_for",
           "attempts_left", "view", "JOB"]
