"""The pure check of a burst against a person's reference encodings (no database, no queue).

:func:`evaluate` decides passed / failed / needs_review / error and returns an
:class:`Outcome` with the scores, reasons and timings the job stores.
"""
from __future__ import annotations

import hashlib
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from core.identity import FrameProblem, Settings, faces_module, reason
from core.identity.liveness import LivenessResult, detect_blink

# The face engine (numpy, dlib) is imported inside the functions that need it, so the portal
# and the counter can import this module — and the sms/esign steps work — without it.

#: When frames show different problems, the one that explains most of them is reported.
_PROBLEM_ORDER = ("too_dark", "too_bright", "face_too_small", "no_face")


@dataclass
class Outcome:
    """The result of checking one burst against the reference encodings."""

    status: str                                   # passed / failed / needs_review / error
    reasons: list[str] = field(default_factory=list)
    face_found: bool | None = None
    one_face: bool | None = None
    quality: dict = field(default_factory=dict)
    distance: float | None = None
    decision: str | None = None                   # match / review / no_match
    liveness: LivenessResult | None = None
    frame_hashes: list[str] = field(default_factory=list)
    burst_sha256: str = ""
    timings: dict = field(default_factory=dict)

    @property
    def matched(self) -> bool | None:
        return None if self.decision is None else self.decision == "match"

    @property
    def message(self) -> str:
        return reason(self.reasons[0]) if self.reasons else ("核验通过" if self.status == "passed" else "")

    def as_dict(self) -> dict:
        return {"status": self.status, "reasons": list(self.reasons), "message": self.message,
                "face_found": self.face_found, "one_face": self.one_face, "quality": self.quality,
                "distance": None if self.distance is None else round(self.distance, 4),
                "decision": self.decision, "match": self.matched,
                "liveness": self.liveness.as_dict() if self.liveness else None,
                "frame_hashes": self.frame_hashes, "burst_sha256": self.burst_sha256,
                "timings": self.timings}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dominant(checks: Sequence["FrameCheck"]) -> str:
    counts = Counter(c.problem for c in checks if c.problem)
    if not counts:
        return "face_lost"
    best = max(counts.values())
    for code in _PROBLEM_ORDER:
        if counts.get(code) == best:
            return code
    return counts.most_common(1)[0][0]


def _continuous(faces: list, max_shift: float = 0.6) -> bool:
    """Consecutive usable frames show one face moving a little, not a different one jumping in."""
    for a, b in zip(faces, faces[1:]):
        (ax, ay), (bx, by) = a.centre, b.centre
        width = max(a.width, b.width, 1)
        if math.hypot(ax - bx, ay - by) > max_shift * width:
            return False
        if not 0.6 <= b.width / max(a.width, 1) <= 1 / 0.6:
            return False
    return True


def _same_face(signatures: list, minimum: float) -> bool:
    """Every frame shows the face of the frame before (correlation of the aligned faces), so
    a stranger swapped into frames that are not encoded is still noticed."""
    return all(float(a @ b) >= minimum for a, b in zip(signatures, signatures[1:]))


def _pick_for_encoding(usable: list, ears: list[float | None], count: int) -> list:
    """Up to ``count`` frames spread over the burst, preferring frames with open eyes."""
    if len(usable) <= count:
        return usable
    values = [ears[i] for i, _, _ in usable if ears[i] is not None]
    cut = statistics.median(values) if values else None
    opened = [u for u in usable if cut is None or ears[u[0]] is None or ears[u[0]] >= cut] or usable
    if len(opened) <= count:
        return opened
    step = (len(opened) - 1) / (count - 1) if count > 1 else 0
    picks = sorted({int(round(i * step)) for i in range(count)})
    return [opened[i] for i in picks]


def _check_burst(decoded: list, s: Settings, check_frame, camera: bool) -> list:
    """Detection and landmarks for every frame. Key frames (the first, every
    ``FACE_KEY_FRAME_EVERY``-th and the last) are searched whole — so a second face or a
    face swapped in is seen; between them the face is tracked from the previous frame,
    searching only around it, which costs a fraction of a whole-frame search."""
    every = max(1, s.face_key_frame_every)
    last = len(decoded) - 1
    checks, near = [], None
    for i, img in enumerate(decoded):
        key = not camera or i % every == 0 or i == last
        check = check_frame(img, s, with_landmarks=camera, near=None if key else near)
        checks.append(check)
        near = check.face if check.usable else None
    return checks


def evaluate(frames: Sequence[bytes], references: Sequence, s: Settings, *,
             mode: str = "camera") -> Outcome:
    """Check a burst (or one uploaded photo) against a person's reference encodings.

    Decides, in this order: frames readable and of sane size → some face, one face only,
    big and bright enough → the same face throughout → distance to the nearest reference
    (the *worst* of the encoded frames counts, so every compared frame must match) →
    liveness (camera bursts only) → status.
    """
    faces = faces_module()
    check_frame, decide, encode, load_image, nearest = (
        faces.check_frame, faces.decide, faces.encode, faces.load_image, faces.nearest)

    started = time.perf_counter()
    hashes = [_sha256(bytes(f)) for f in frames]
    outcome = Outcome(status="failed", frame_hashes=hashes,
                      burst_sha256=hashlib.sha256("".join(hashes).encode()).hexdigest())

    def done(status: str, *codes: str) -> Outcome:
        outcome.status = status
        outcome.reasons = [c for c in codes if c]
        outcome.timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return outcome

    if not frames:
        return done("failed", "no_frames")
    if len(frames) > s.face_max_frames:
        return done("failed", "too_many_frames")
    if not len(references):
        return done("error", "no_reference")
    camera = mode == "camera"
    if camera and len(frames) < s.face_min_burst_frames:
        return done("failed", "not_live")  # too few frames to show a blink
    decoded: list = []
    for data in frames:
        try:
            decoded.append(load_image(data, s))
        except FrameProblem as problem:
            outcome.quality = {"frame": len(decoded), "detail": problem.detail}
            return done("failed", problem.code)
    outcome.timings["decode_ms"] = round((time.perf_counter() - started) * 1000, 1)
    t = time.perf_counter()
    checks = _check_burst(decoded, s, check_frame, camera)
    outcome.timings["detect_ms"] = round((time.perf_counter() - t) * 1000, 1)
    usable = [(i, img, c) for i, (img, c) in enumerate(zip(decoded, checks)) if c.usable]
    outcome.face_found = any(c.faces > 0 for c in checks)
    outcome.one_face = outcome.face_found and not any(c.problem == "multiple_faces" for c in checks)
    shown = usable[0][2] if usable else checks[0]
    outcome.quality = {**shown.quality(), "usable_frames": len(usable), "frames": len(frames)}
    if any(c.problem == "multiple_faces" for c in checks):
        return done("failed", "multiple_faces")
    if len(usable) < (s.face_min_burst_frames if camera else 1):
        return done("failed", _dominant(checks))
    if camera and not _continuous([c.face for _, _, c in usable]):
        return done("failed", "face_changed")
    if camera and not _same_face([faces.face_signature(img.pixels, c.face) for _, img, c in usable],
                                 s.face_same_face_min):
        return done("failed", "face_changed")

    liveness = None
    ears: list[float | None] = [None] * len(frames)
    if camera:
        liveness = detect_blink([c.landmarks if c.usable else None for c in checks],
                                drop=s.face_blink_drop, min_open_ear=s.face_min_open_ear,
                                shape_tolerance=s.face_shape_tolerance,
                                min_frames=s.face_min_burst_frames)
        ears = liveness.ears
    else:
        liveness = LivenessResult(False, "not_live", ears=[None])
    outcome.liveness = liveness

    t = time.perf_counter()
    worst = None
    for _, img, check in _pick_for_encoding(usable, ears, max(1, s.face_burst_encode_frames)):
        value = nearest(references, encode(img.pixels, check.face))
        worst = value if worst is None else max(worst, value)
    outcome.timings["encode_ms"] = round((time.perf_counter() - t) * 1000, 1)
    outcome.distance = worst
    outcome.decision = decide(worst, s)

    if outcome.decision == "no_match":
        return done("failed", "no_match", None if liveness.passed else liveness.reason)
    if not liveness.passed:
        if not camera and s.face_upload_review:
            return done("needs_review", "needs_review", "not_live")
        return done("failed", liveness.reason or "no_blink")
    if outcome.decision == "review":
        return done("needs_review", "needs_review")
    return done("passed")
