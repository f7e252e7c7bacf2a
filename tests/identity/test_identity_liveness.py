"""EAR blink logic on synthetic landmark sequences (no images, no face engine)."""
import math

import pytest

from core.identity.liveness import Signal, detect_blink, eye_aspect_ratio, face_shape, signal


def eye(cx: float, cy: float, ear: float, width: float = 30.0) -> list[tuple[float, float]]:
    """Six landmarks p1…p6 of an eye whose EAR is exactly ``ear``."""
    h = ear * width  # (|p2-p6| + |p3-p5|) / (2 * width) with both gaps = h
    return [(cx - width / 2, cy), (cx - width / 6, cy - h / 2), (cx + width / 6, cy - h / 2),
            (cx + width / 2, cy), (cx + width / 6, cy + h / 2), (cx - width / 6, cy + h / 2)]


def face(ear: float, *, nose_drop: float = 45.0, width: float = 30.0) -> dict:
    """``face_landmarks``-style dict: eyes 60 px apart, nose tip ``nose_drop`` below them."""
    return {"left_eye": eye(100, 100, ear, width), "right_eye": eye(160, 100, ear, width),
            "nose_tip": [(120, 100 + nose_drop), (125, 100 + nose_drop), (130, 100 + nose_drop),
                         (135, 100 + nose_drop), (140, 100 + nose_drop)]}


def test_eye_aspect_ratio_formula():
    assert eye_aspect_ratio(eye(0, 0, 0.3)) == pytest.approx(0.3)
    assert eye_aspect_ratio(eye(0, 0, 0.05)) == pytest.approx(0.05)
    points = [(0, 0), (1, -1), (2, -1), (3, 0), (2, 1), (1, 1)]
    assert eye_aspect_ratio(points) == pytest.approx((2 + 2) / (2 * 3))
    with pytest.raises(ValueError):
        eye_aspect_ratio(points[:5])
    assert eye_aspect_ratio([(0, 0)] * 6) == 0.0


def test_face_shape_is_nose_height_over_eye_distance():
    assert face_shape(face(0.3, nose_drop=45)) == pytest.approx(45 / 60)
    assert face_shape({"left_eye": []}) is None


def test_open_closed_open_is_a_blink():
    seq = [face(e) for e in (0.31, 0.30, 0.32, 0.12, 0.10, 0.29, 0.31)]
    result = detect_blink(seq)
    assert result.passed and result.blinks == 1 and result.reason is None
    assert result.closed_frames == [3, 4]
    assert result.open_level == pytest.approx(0.31, abs=0.01)


def test_two_blinks_are_counted():
    seq = [face(e) for e in (0.3, 0.1, 0.3, 0.3, 0.11, 0.3)]
    assert detect_blink(seq).blinks == 2


@pytest.mark.parametrize("ears, why", [
    ((0.3,) * 8, "eyes never close (a still photo)"),
    ((0.1,) * 8, "eyes never open"),
    ((0.3, 0.3, 0.3, 0.3, 0.1, 0.1), "closed but never reopened"),
    ((0.1, 0.1, 0.3, 0.3, 0.3, 0.3), "opened but was closed before: no open → closed → open"),
    ((0.30, 0.29, 0.27, 0.26, 0.28, 0.30), "a 13% wobble is landmark noise, not a blink"),
])
def test_no_blink(ears, why):
    result = detect_blink([face(e) for e in ears])
    assert not result.passed, why
    assert result.reason == "no_blink"


def test_identical_frames_fail():
    assert detect_blink([face(0.3)] * 10).reason == "no_blink"


def test_one_frame_can_never_pass():
    assert detect_blink([face(0.3)]).reason == "not_live"
    assert detect_blink([]).reason == "not_live"


def test_too_few_usable_frames():
    seq = [face(0.3), None, None, face(0.1), None, None, face(0.3)]
    assert detect_blink(seq, min_frames=5).reason == "face_lost"


def test_frames_without_a_face_are_skipped():
    seq = [face(0.3), face(0.31), None, face(0.1), None, face(0.3), face(0.3)]
    assert detect_blink(seq).passed


def test_relative_threshold_works_for_narrow_eyes():
    """Open EAR 0.20 (narrow eyes): an absolute 0.2 'closed' threshold would fail them."""
    seq = [face(e) for e in (0.20, 0.21, 0.20, 0.09, 0.20, 0.21)]
    assert detect_blink(seq).passed


def test_unusable_landmarks_fail():
    seq = [face(e) for e in (0.08, 0.07, 0.02, 0.08, 0.07)]
    assert detect_blink(seq, min_open_ear=0.15).reason == "no_blink"


def test_a_tilted_photo_is_not_a_blink():
    """Tilting a printed photo away flattens the eyes *and* the face: not a blink."""
    seq = [face(0.3, nose_drop=45), face(0.3, nose_drop=45), face(0.3, nose_drop=45),
           face(0.18, nose_drop=27), face(0.18, nose_drop=27), face(0.3, nose_drop=45)]
    result = detect_blink(seq)
    assert not result.passed and result.tilted_frames == [3, 4]
    # the same EAR drop with the face's proportions unchanged is a blink
    seq[3], seq[4] = face(0.18, nose_drop=45), face(0.18, nose_drop=45)
    assert detect_blink(seq).passed


def test_a_photo_held_tilted_most_of_the_time_is_still_caught():
    """The reference proportions come from the open-eye frames, not from the majority."""
    tilted, upright = face(0.18, nose_drop=27), face(0.3, nose_drop=45)
    seq = [upright, tilted, tilted, tilted, tilted, tilted, upright]
    assert not detect_blink(seq).passed


def test_signals_can_be_given_directly():
    seq = [Signal(0.3, 0.75), Signal(0.3, 0.75), Signal(0.1, 0.76), Signal(0.3, 0.75), Signal(0.3, 0.74)]
    assert detect_blink(seq).passed
    assert signal(None) == Signal(None, None)
    assert math.isclose(signal(face(0.25)).ear, 0.25)
