"""Blink liveness: the eye aspect ratio (EAR) across a burst must go open → closed → open.

EAR (Soukupová & Čech, 2016) of one eye with landmarks p1…p6 (corners p1, p4)::

    EAR = (|p2 − p6| + |p3 − p5|) / (2 · |p1 − p4|)

It is about 0.25–0.35 for an open eye and falls towards 0.1 when the eye closes. People's
open-eye level differs (narrower eyes have lower EARs), so the thresholds are **relative** to
the burst's own open level (its 80th percentile): a frame is *closed* when its EAR is at
least ``FACE_BLINK_DROP`` below that level, *open* when within half that drop.

A printed photo tilted away from the camera also flattens the eyes. A real blink leaves the
rest of the face as it was, so a frame only counts as closed when the face's proportions
(eye-line to nose-tip height over the distance between the eyes) stay within
``FACE_SHAPE_TOLERANCE`` of their median over the burst's open-eye frames.

Pure functions over ``face_recognition.face_landmarks``-style dicts; no image library needed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median
from typing import Iterable, Sequence

Point = Sequence[float]


def _dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def eye_aspect_ratio(eye: Sequence[Point]) -> float:
    """EAR of one eye given its six landmarks in ``face_landmarks`` order."""
    if len(eye) != 6:
        raise ValueError("an eye has six landmarks")
    p1, p2, p3, p4, p5, p6 = eye
    width = _dist(p1, p4)
    if width <= 0:
        return 0.0
    return (_dist(p2, p6) + _dist(p3, p5)) / (2.0 * width)


def _centre(points: Sequence[Point]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def face_shape(marks: dict) -> float | None:
    """Height of the nose tip below the eye line, over the distance between the eyes.

    Stays put when the eyes blink; shrinks when a photo is tilted away (pitch)."""
    try:
        left, right = _centre(marks["left_eye"]), _centre(marks["right_eye"])
        nose = marks["nose_tip"][len(marks["nose_tip"]) // 2]
    except (KeyError, IndexError, ZeroDivisionError, TypeError):
        return None
    span = _dist(left, right)
    if span <= 0:
        return None
    mid = ((left[0] + right[0]) / 2, (left[1] + right[1]) / 2)
    return _dist(mid, nose) / span


@dataclass(frozen=True)
class Signal:
    """Per frame: mean EAR of both eyes and the face's proportions (None: no usable face)."""

    ear: float | None
    shape: float | None = None


def signal(marks: dict | None) -> Signal:
    if not marks:
        return Signal(None, None)
    try:
        ear = (eye_aspect_ratio(marks["left_eye"]) + eye_aspect_ratio(marks["right_eye"])) / 2
    except (KeyError, ValueError, TypeError):
        return Signal(None, None)
    return Signal(ear, face_shape(marks))


@dataclass
class LivenessResult:
    passed: bool
    reason: str | None                   # a key of core.identity.REASONS when not passed
    blinks: int = 0
    open_level: float | None = None
    closed_frames: list[int] = field(default_factory=list)
    tilted_frames: list[int] = field(default_factory=list)
    ears: list[float | None] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"passed": self.passed, "reason": self.reason, "blinks": self.blinks,
                "open_level": None if self.open_level is None else round(self.open_level, 3),
                "closed_frames": self.closed_frames, "tilted_frames": self.tilted_frames,
                "ears": [None if e is None else round(e, 3) for e in self.ears]}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def detect_blink(frames: Iterable[Signal | dict | None], *, drop: float = 0.30,
                 min_open_ear: float = 0.15, shape_tolerance: float = 0.12,
                 min_frames: int = 5) -> LivenessResult:
    """Look for open → closed → open in a burst (landmark dicts or :class:`Signal` per frame).

    Frames without a usable face are skipped; fewer than ``min_frames`` usable frames, or a
    single frame, can never pass.
    """
    signals = [f if isinstance(f, Signal) else signal(f) for f in frames]
    ears = [s.ear for s in signals]
    present = [(i, s) for i, s in enumerate(signals) if s.ear is not None]
    if len(signals) < 2:
        return LivenessResult(False, "not_live", ears=ears)
    if len(present) < max(min_frames, 3):
        return LivenessResult(False, "face_lost" if len(signals) >= min_frames else "not_live",
                              ears=ears)
    open_level = _percentile([s.ear for _, s in present], 0.8)
    if open_level < min_open_ear:
        return LivenessResult(False, "no_blink", open_level=open_level, ears=ears)
    closed_below = open_level * (1 - drop)
    open_above = open_level * (1 - drop / 2)
    # The face's proportions with the eyes open: a closed frame must keep them (a blink), not
    # flatten with the eyes (a photo tilted away from the camera).
    shapes = [s.shape for _, s in present if s.shape is not None and s.ear >= open_above]
    shape_ref = median(shapes) if shapes else None
    blinks, closed, tilted = 0, [], []
    phase = "start"  # start → open → closed → (open: one blink) …
    for i, s in present:
        if s.ear <= closed_below:
            steady = (shape_ref is None or s.shape is None
                      or abs(s.shape / shape_ref - 1) <= shape_tolerance)
            if not steady:
                tilted.append(i)
                continue
            closed.append(i)
            if phase == "open":
                phase = "closed"
        elif s.ear >= open_above:
            if phase == "closed":
                blinks += 1
            phase = "open"
    passed = blinks > 0
    return LivenessResult(passed, None if passed else "no_blink", blinks=blinks,
                          open_level=open_level, closed_frames=closed, tilted_frames=tilted,
                          ears=ears)


__all__ = ["eye_aspect_ratio", "face_shape", "Signal", "signal", "LivenessResult", "detect_blink"]
