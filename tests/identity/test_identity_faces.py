"""Faces shipped with scikit-image: same person, different persons, every kind of bad input,
and liveness on real bursts. Distances are printed (run with ``-s`` to see them)."""
import io

import numpy as np
import pytest

from core.identity import DEFAULTS, IdentityError, settings
from core.identity.verification import evaluate


def one(kit, pixels, fmt="JPEG"):
    return [kit.encode_image(pixels, fmt)]


def test_defaults_are_stricter_than_face_recognition(s):
    assert s.face_match_distance < 0.6 and s.face_review_distance < 0.6
    assert s.face_match_distance <= s.face_review_distance


def test_thresholds_come_from_configuration(quanke, monkeypatch):
    monkeypatch.setenv("QUANKE_FACE_MATCH_DISTANCE", "0.33")
    assert settings(quanke).face_match_distance == 0.33
    quanke.config["FACE_MATCH_DISTANCE"] = 0.35          # the runtime's config wins
    assert settings(quanke).face_match_distance == 0.35
    quanke.config["FACE_REVIEW_DISTANCE"] = 0.30
    with pytest.raises(IdentityError.__mro__[1]):        # QuankeError: bad band
        settings(quanke)
    assert set(DEFAULTS) >= {"FACE_MATCH_DISTANCE", "FACE_REVIEW_DISTANCE", "FACE_ATTEMPTS_PER_HOUR"}


def test_same_person_rescaled_shifted_relit_matches(kit, astronaut_ref, s):
    frame = kit.astronaut_frame()
    variants = {
        "rescaled 0.7": kit.fit(kit.rescaled(frame, 0.7)),
        "rescaled 1.3": kit.fit(kit.rescaled(frame, 1.3)),
        "shifted (60, -30)": kit.shifted(frame, 60, -30),
        "re-lit ×0.55": kit.relit(frame, 0.55),
        "re-lit γ1.4": kit.relit(frame, 1.15, 1.4),
        "all three": kit.relit(kit.shifted(kit.fit(kit.rescaled(frame, 0.85)), -40, 20), 0.7, 1.2),
        "whole 512×512 photo": kit.astronaut_photo(),
    }
    print("\nsame person (astronaut vs its copies):")
    for name, pixels in variants.items():
        outcome = evaluate(one(kit, pixels), [astronaut_ref], s, mode="upload")
        print(f"  {name:22s} distance {outcome.distance:.3f} → {outcome.decision}")
        assert outcome.decision == "match", (name, outcome.as_dict())
        assert outcome.face_found and outcome.one_face


def test_different_persons_do_not_match(kit, astronaut_ref, s):
    distances = []
    for pixels in kit.lfw_faces():
        outcome = evaluate(one(kit, pixels), [astronaut_ref], s, mode="upload")
        if outcome.distance is not None:
            distances.append(outcome.distance)
            assert outcome.decision == "no_match" and outcome.status == "failed"
            assert outcome.reasons[0] == "no_match"
    distances.sort()
    print(f"\nastronaut vs {len(distances)} lfw_subset faces (upscaled 25→200 px): "
          f"min {distances[0]:.3f}, 5th pct {np.percentile(distances, 5):.3f}, "
          f"median {np.median(distances):.3f}, max {distances[-1]:.3f}")
    print("  lowest ten:", " ".join(f"{d:.3f}" for d in distances[:10]))
    assert len(distances) >= 80           # the detector finds most of the upscaled faces
    assert distances[0] > s.face_review_distance


@pytest.mark.parametrize("case, reason", [
    ("blank", "no_face"), ("landscape", "no_face"), ("two_faces", "multiple_faces"),
    ("small_face", "face_too_small"), ("tiny_image", "image_too_small"), ("dark", "too_dark"),
    ("bright", "too_bright"), ("not_an_image", "invalid_image"), ("pdf", "invalid_image"),
    ("oversized_file", "file_too_large"), ("huge_dimensions", "image_too_large"),
    ("gif", "invalid_image"), ("truncated_jpeg", "invalid_image"),
])
def test_each_bad_input_gets_its_own_result(kit, astronaut_ref, s, case, reason):
    from PIL import Image
    frame = kit.astronaut_frame()
    if case == "blank":
        frames = one(kit, kit.blank())
    elif case == "landscape":
        frames = one(kit, kit.landscape())
    elif case == "two_faces":
        frames = one(kit, kit.two_faces())
    elif case == "small_face":
        frames = one(kit, kit.small_face())
    elif case == "tiny_image":
        frames = one(kit, kit.rescaled(frame, 0.2))          # 128×96
    elif case == "dark":
        frames = one(kit, kit.dark())
    elif case == "bright":
        frames = one(kit, kit.relit(frame, 1.9))
    elif case == "not_an_image":
        frames = [b"hello, this is text"]
    elif case == "pdf":
        frames = [b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF"]
    elif case == "oversized_file":
        frames = [kit.png(np.random.default_rng(1).integers(0, 255, (1200, 1600, 3), dtype=np.uint8))]
        assert len(frames[0]) > s.face_max_frame_bytes
    elif case == "huge_dimensions":
        out = io.BytesIO()
        Image.new("L", (5000, 200), 128).save(out, "PNG")
        frames = [out.getvalue()]
    elif case == "gif":
        out = io.BytesIO()
        Image.fromarray(frame).save(out, "GIF")
        frames = [out.getvalue()]
    else:
        frames = [kit.jpeg(frame)[:2000]]
    outcome = evaluate(frames, [astronaut_ref], s, mode="upload")
    assert outcome.status == "failed"
    assert outcome.reasons[0] == reason, outcome.as_dict()
    assert outcome.message and outcome.message == outcome.as_dict()["message"]


def test_the_reasons_read_as_the_issue_asks(kit, astronaut_ref, s):
    messages = {evaluate(frames, [astronaut_ref], s, mode=mode).message for frames, mode in [
        (one(kit, kit.blank()), "upload"), (one(kit, kit.two_faces()), "upload"),
        (one(kit, kit.dark()), "upload"), (kit.identical_burst(8), "camera")]}
    assert {"没有检测到人脸", "光线太暗，请到明亮的地方再试", "请眨眼"} <= messages
    assert any(m.startswith("检测到多张人脸") for m in messages)


def test_no_frames_too_many_frames_and_no_reference(kit, astronaut_ref, s):
    assert evaluate([], [astronaut_ref], s).reasons == ["no_frames"]
    frame = kit.jpeg(kit.astronaut_frame())
    assert evaluate([frame] * (s.face_max_frames + 1), [astronaut_ref], s).reasons == ["too_many_frames"]
    outcome = evaluate([frame] * 8, [], s)
    assert outcome.status == "error" and outcome.reasons == ["no_reference"]


def test_a_blinking_burst_passes(kit, blink_frames, astronaut_ref, s):
    outcome = evaluate(blink_frames, [astronaut_ref], s, mode="camera")
    print(f"\nblink burst: distance {outcome.distance:.3f}, EARs {outcome.liveness.as_dict()['ears']}")
    assert outcome.status == "passed", outcome.as_dict()
    assert outcome.liveness.passed and outcome.liveness.blinks == 1
    assert outcome.matched and outcome.face_found and outcome.one_face
    assert len(outcome.frame_hashes) == 10 and len(set(outcome.frame_hashes)) == 10


def test_png_frames_work_too(kit, astronaut_ref, s):
    outcome = evaluate(kit.blink_burst(8, closed_at=(3,), fmt="PNG"), [astronaut_ref], s)
    assert outcome.status == "passed", outcome.as_dict()


@pytest.mark.parametrize("burst", ["identical_burst", "still_photo_burst", "tilted_photo_burst"])
def test_bursts_without_a_blink_fail_liveness(kit, astronaut_ref, s, burst):
    outcome = evaluate(getattr(kit, burst)(10), [astronaut_ref], s, mode="camera")
    assert outcome.status == "failed" and outcome.reasons == ["no_blink"], outcome.as_dict()
    assert outcome.matched is True and outcome.liveness.passed is False


def test_a_single_uploaded_photo_never_passes(kit, astronaut_ref, s):
    photo = one(kit, kit.astronaut_frame())
    upload = evaluate(photo, [astronaut_ref], s, mode="upload")
    assert upload.status == "needs_review" and upload.liveness.passed is False
    assert upload.reasons == ["needs_review", "not_live"]
    strict = settings(environ={"QUANKE_FACE_UPLOAD_REVIEW": "false"})
    assert evaluate(photo, [astronaut_ref], strict, mode="upload").reasons == ["not_live"]
    # the same photo sent as a "camera burst" of one frame fails too
    assert evaluate(photo, [astronaut_ref], s, mode="camera").reasons == ["not_live"]


def test_a_different_face_in_the_burst_fails(kit, astronaut_ref, s, blink_frames):
    stranger = kit.jpeg(kit.fit(kit.rescaled(kit.lfw_faces()[0], 1.0)))
    frames = list(blink_frames)
    frames[7] = stranger
    outcome = evaluate(frames, [astronaut_ref], s)
    assert outcome.status == "failed" and outcome.reasons[0] in ("face_changed", "no_match")


def test_borderline_distances_go_to_review(kit, blink_frames, astronaut_ref, s):
    outcome = evaluate(blink_frames, [astronaut_ref], s)
    tight = settings(environ={"QUANKE_FACE_MATCH_DISTANCE": str(round(outcome.distance / 2, 3)),
                              "QUANKE_FACE_REVIEW_DISTANCE": "0.5"})
    review = evaluate(blink_frames, [astronaut_ref], tight)
    assert review.status == "needs_review" and review.reasons == ["needs_review"]
    assert review.liveness.passed


def test_nearest_of_several_references_counts(kit, astronaut_ref, s):
    other = np.asarray(astronaut_ref) + 0.2
    outcome = evaluate(one(kit, kit.astronaut_frame()), [other, astronaut_ref], s, mode="upload")
    assert outcome.decision == "match"


def test_encoding_round_trip_and_decisions(astronaut_ref, s):
    from core.identity.faces import decide, distance, from_bytes, to_bytes
    data = to_bytes(astronaut_ref)
    assert len(data) == 128 * 8
    assert distance(from_bytes(data), astronaut_ref) == 0.0
    assert decide(s.face_match_distance, s) == "match"
    assert decide(s.face_match_distance + 0.01, s) == "review"
    assert decide(s.face_review_distance + 0.01, s) == "no_match"
    assert decide(None, s) == "no_match"
    with pytest.raises(ValueError):
        to_bytes([0.0] * 5)


def test_exif_rotation_is_applied(kit, astronaut_ref, s):
    from PIL import Image
    rotated = Image.fromarray(np.rot90(kit.astronaut_frame(), 1).copy())   # held sideways
    exif = Image.Exif()
    exif[0x0112] = 6                                                        # viewer rotates it back
    out = io.BytesIO()
    rotated.save(out, "JPEG", exif=exif.tobytes())
    outcome = evaluate([out.getvalue()], [astronaut_ref], s, mode="upload")
    assert outcome.decision == "match", outcome.as_dict()


def test_a_phone_sized_photo_is_analysed_at_working_size(kit, astronaut_ref, s):
    photo = kit.jpeg(kit.rescaled(kit.astronaut_frame(), 6.3))                # 4032×3024
    outcome = evaluate([photo], [astronaut_ref], s, mode="upload")
    assert outcome.decision == "match" and max(outcome.quality["width"], outcome.quality["height"]) == 1280
