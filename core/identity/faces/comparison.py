"""Comparing encodings: Euclidean distance, the nearest reference, the match/review/no-match
decision, and the byte form encodings are stored in."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from core.identity import Settings

ENCODING_DIM = 128


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Euclidean distance between two encodings (``face_recognition.face_distance``)."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def nearest(references: Iterable[Sequence[float]], probe: Sequence[float]) -> float | None:
    """Distance from ``probe`` to the closest reference (a person may have several)."""
    values = [distance(ref, probe) for ref in references]
    return min(values) if values else None


def decide(value: float | None, s: Settings) -> str:
    """``"match"`` (≤ match threshold), ``"review"`` (in the band) or ``"no_match"``."""
    if value is None:
        return "no_match"
    if value <= s.face_match_distance:
        return "match"
    if value <= s.face_review_distance:
        return "review"
    return "no_match"


def to_bytes(encoding: Sequence[float]) -> bytes:
    array = np.asarray(encoding, dtype="<f8")
    if array.shape != (ENCODING_DIM,):
        raise ValueError(f"an encoding has {ENCODING_DIM} values, not {array.shape}")
    return array.tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f8").copy()
