"""Face checks through the database with jobs inline: outcomes, the workflow step, review,
attempt limits, selfie deletion, healing of stuck checks, and the whole remote flow."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from core.platform import audit
from core import acceptance
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState
from core.identity import TooManyAttempts
from core.identity.evidence import identity_evidence
from core.identity.models import FaceCheck, FaceFrame
from core.identity.verification import (face_check_status, face_checks_for, recover_stale_checks,
                                        review_face_check, review_queue, run_face_check,
                                        start_face_check, attempts_left)
from core.platform.models import Application

SERVICE = "identitytest.remote"


def _frames(quanke):
    with quanke.db.session() as s:
        return s.scalar(select(func.count(FaceFrame.id)))


def _app(quanke, app_id):
    with quanke.db.session() as s:
        return s.get(Application, app_id)


def test_a_blinking_burst_passes_and_records_the_face_step(world, enrolled, draft, blink_frames):
    quanke = world.quanke
    result = start_face_check(quanke, world.citizen, draft.id, blink_frames, ip="10.0.0.1")
    assert result["done"] and result["status"] == "passed" and result["passed"]
    assert result["face_found"] and result["one_face"] and result["match"] and result["liveness"]
    assert result["distance"] < result["thresholds"]["match"]
    assert result["quality"]["face_px"] >= 80
    assert "face" in _app(quanke, draft.id).identity_passed
    assert _frames(quanke) == 0                                   # selfies deleted
    with quanke.db.session() as s:
        row = s.get(FaceCheck, result["id"])
        assert len(row.frame_hashes) == 10 and row.burst_sha256 and row.frames_deleted_at
        assert row.step_recorded and row.timings["total_ms"] > 0
        events = s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.application_id == draft.id)
                           .order_by(audit.AuditEvent.seq)).all()
        check_event = [e for e in events if e.action == "face_check"][-1]
        assert check_event.data["selfies_deleted"] and check_event.data["burst_sha256"] == row.burst_sha256
        assert check_event.data["distance"] == row.distance
        step = [e for e in events if e.action == "identity_step"][-1]
        assert step.data["step"] == "face" and step.data["evidence"]["check_id"] == row.id
        assert audit.verify(s).ok
    with pytest.raises(Conflict) as exc:
        start_face_check(quanke, world.citizen, draft.id, blink_frames)
    assert exc.value.code == "face_already_passed"


def test_an_identical_burst_fails_with_please_blink(world, enrolled, draft, kit):
    result = start_face_check(world.quanke, world.citizen, draft.id, kit.identical_burst(10))
    assert result["status"] == "failed" and result["message"] == "请眨眼"
    assert result["match"] is True and result["liveness"] is False
    assert "face" not in _app(world.quanke, draft.id).identity_passed
    assert _frames(world.quanke) == 0


def test_no_reference_photo_is_an_error_that_does_not_count(world, draft, blink_frames):
    result = start_face_check(world.quanke, world.citizen, draft.id, blink_frames)
    assert result["status"] == "error" and result["reasons"][0]["code"] == "no_reference"
    assert "便民服务中心" in result["message"]
    assert attempts_left(world.quanke, world.citizen, draft.id)["left"] == 5


def test_only_the_owner_may_check_and_see(world, enrolled, draft, blink_frames):
    quanke = world.quanke
    with pytest.raises(Forbidden):
        start_face_check(quanke, world.other_citizen, draft.id, blink_frames)
    result = start_face_check(quanke, world.citizen, draft.id, blink_frames)
    with pytest.raises(Forbidden):
        face_check_status(quanke, world.other_citizen, result["id"])
    assert "ip" not in face_check_status(quanke, world.citizen, result["id"])
    staff = face_check_status(quanke, world.counter, result["id"])
    assert staff["selfies_deleted"] and len(staff["frame_hashes"]) == 10


def test_requests_refused_before_anything_is_stored(world, enrolled, draft, kit, blink_frames):
    quanke = world.quanke
    with pytest.raises(InvalidInput) as exc:
        start_face_check(quanke, world.citizen, draft.id, [])
    assert exc.value.code == "no_frames"
    with pytest.raises(InvalidInput) as exc:
        start_face_check(quanke, world.citizen, draft.id, [b"x" * 5_000_000])
    assert exc.value.code == "file_too_large" and "太大" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        start_face_check(quanke, world.citizen, draft.id, blink_frames[:2], mode="upload")
    assert exc.value.code == "one_photo_only"
    with pytest.raises(InvalidInput) as exc:
        start_face_check(quanke, world.citizen, draft.id, blink_frames * 3)
    assert exc.value.code == "too_many_frames"
    sample = acceptance.file_application(quanke, world.citizen, service_code="sample.permit",
                                       applicant_id=world.citizen.applicant_id,
                                       form_data={"purpose": "开办示例"}, submit=False)
    with pytest.raises(InvalidInput) as exc:
        start_face_check(quanke, world.citizen, sample.id, blink_frames)
    assert exc.value.code == "unknown_identity_step"
    with quanke.db.session() as s:
        assert s.scalar(select(func.count(FaceCheck.id))) == 0


def test_attempts_are_limited_per_person_with_a_clear_message(world, enrolled, draft, kit):
    quanke = world.quanke
    burst = kit.identical_burst(6)
    t0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    for i in range(5):
        assert start_face_check(quanke, world.citizen, draft.id, burst, ip=f"10.0.0.{i}",
                                at=t0 + dt.timedelta(minutes=i))["status"] == "failed"
    assert attempts_left(quanke, world.citizen, draft.id, at=t0 + dt.timedelta(minutes=5))["left"] == 0
    with pytest.raises(TooManyAttempts) as exc:
        start_face_check(quanke, world.citizen, draft.id, burst, ip="10.0.0.9",
                         at=t0 + dt.timedelta(minutes=10))
    assert exc.value.http_status == 429 and exc.value.code == "too_many_attempts"
    assert "1小时内人脸核验已达5次" in exc.value.message and "50分钟后再试" in exc.value.message
    assert exc.value.details["retry_after"] == 50 * 60 and exc.value.details["scope"] == "person"
    # an hour after the first attempt, one more is allowed
    later = start_face_check(quanke, world.citizen, draft.id, burst, at=t0 + dt.timedelta(minutes=61))
    assert later["status"] == "failed"


def test_attempts_are_limited_per_ip(world, enrolled, kit):
    """Two people behind one address: the sixth attempt from it in an hour is refused."""
    from core.identity.enrolment import enrol
    from core.testing import drive_to
    quanke = world.quanke
    enrol(quanke, world.counter, photo=kit.png(kit.astronaut_frame()),
          applicant_id=world.other_citizen.applicant_id)
    burst = kit.identical_burst(6)
    mine = drive_to(world, "draft", SERVICE)
    theirs = acceptance.file_application(quanke, world.other_citizen, service_code=SERVICE,
                                       applicant_id=world.other_citizen.applicant_id,
                                       form_data={"purpose": "开办示例"}, submit=False)
    t0 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    for i in range(3):
        start_face_check(quanke, world.citizen, mine.id, burst, ip="203.0.113.7", at=t0)
    for i in range(2):
        start_face_check(quanke, world.other_citizen, theirs.id, burst, ip="203.0.113.7", at=t0)
    with pytest.raises(TooManyAttempts) as exc:
        start_face_check(quanke, world.other_citizen, theirs.id, burst, ip="203.0.113.7", at=t0)
    assert exc.value.details["scope"] == "ip" and "当前网络" in exc.value.message
    assert start_face_check(quanke, world.other_citizen, theirs.id, burst, ip="198.51.100.1",
                            at=t0)["done"]


def test_upload_goes_to_a_counter_worker_for_a_video_check(world, enrolled, draft, kit):
    quanke = world.quanke
    result = start_face_check(quanke, world.citizen, draft.id, [kit.jpeg(kit.astronaut_frame())],
                              mode="upload")
    assert result["status"] == "needs_review" and result["liveness"] is False
    assert "视频核验" in result["message"]
    assert "face" not in _app(quanke, draft.id).identity_passed
    queue = review_queue(quanke, world.counter)
    assert [q["id"] for q in queue] == [result["id"]] and queue[0]["name_masked"].endswith("*")
    with pytest.raises(Forbidden):
        review_queue(quanke, world.approver)
    with pytest.raises(Forbidden):
        review_face_check(quanke, world.citizen, result["id"], passed=True, note="自己批准")
    with pytest.raises(InvalidInput):
        review_face_check(quanke, world.counter, result["id"], passed=True, note=" ")
    done = review_face_check(quanke, world.counter, result["id"], passed=True,
                             note="视频通话核对本人与证件照片一致")
    assert done["status"] == "passed" and done["review"]["outcome"] == "passed"
    assert "face" in _app(quanke, draft.id).identity_passed
    with pytest.raises(InvalidState):
        review_face_check(quanke, world.counter, result["id"], passed=False, note="再改")
    evidence = identity_evidence(quanke, world.counter, draft.id)
    face = [st for st in evidence["steps"] if st["step"] == "face"][0]
    assert face["passed"] and face["evidence"]["reviewed_by_id"] == world.counter.id


def test_a_rejected_review_leaves_the_step_open(world, enrolled, draft, kit):
    result = start_face_check(world.quanke, world.citizen, draft.id, [kit.jpeg(kit.astronaut_frame())],
                              mode="upload")
    done = review_face_check(world.quanke, world.counter, result["id"], passed=False, note="视频中不是本人")
    assert done["status"] == "failed" and "face" not in _app(world.quanke, draft.id).identity_passed


def _stuck(quanke, check_id, *, status="running", minutes=5):
    with quanke.db.session() as s:
        row = s.get(FaceCheck, check_id)
        row.status = status
        row.lease_until = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
        row.created_at = row.created_at - dt.timedelta(minutes=minutes)


def _queued_but_not_run(world, draft, frames):
    """A check whose job was queued and then lost (the worker died before writing anything)."""
    quanke = world.quanke
    quanke.jobs.enqueue = lambda *a, **kw: None            # the job goes nowhere
    result = start_face_check(quanke, world.citizen, draft.id, frames)
    del quanke.jobs.enqueue
    assert result["status"] == "pending" and not result["done"] and result["message"] == "正在核验，请稍候"
    return result["id"]


def test_a_check_whose_worker_died_is_run_again(world, enrolled, draft, blink_frames):
    quanke = world.quanke
    check_id = _queued_but_not_run(world, draft, blink_frames)
    with pytest.raises(Conflict) as exc:                  # no second check while one is running
        start_face_check(quanke, world.citizen, draft.id, blink_frames)
    assert exc.value.code == "face_check_in_progress"
    _stuck(quanke, check_id)
    assert _frames(quanke) == 10                           # nothing lost while it hung
    status = face_check_status(quanke, world.citizen, check_id)  # the page polls: healed, rerun
    assert status["status"] == "passed" and status["passed"]
    assert _frames(quanke) == 0
    with quanke.db.session() as s:
        row = s.get(FaceCheck, check_id)
        assert row.run == 2 and row.status == "passed"
        actions = [e.action for e in s.scalars(select(audit.AuditEvent).where(
            audit.AuditEvent.object_type == "face_check"))]
    assert actions == ["face_check_requeued", "face_check"]
    assert "face" in _app(quanke, draft.id).identity_passed
    # the first run's job, if rq still delivers it, finds a newer run and does nothing
    assert run_face_check(quanke, check_id=check_id, run=1) == "skipped"


def test_after_the_last_run_a_stuck_check_fails_visibly(world, enrolled, draft, blink_frames):
    quanke = world.quanke
    quanke.config["FACE_JOB_MAX_RUNS"] = 1
    check_id = _queued_but_not_run(world, draft, blink_frames)
    _stuck(quanke, check_id)
    assert recover_stale_checks(quanke) == 1
    status = face_check_status(quanke, world.citizen, check_id)
    assert status["done"] and status["status"] == "error"
    assert "不计入次数" in status["message"]
    assert _frames(quanke) == 0
    assert attempts_left(quanke, world.citizen, draft.id)["left"] == 5   # not the citizen's fault
    assert start_face_check(quanke, world.citizen, draft.id, blink_frames)["status"] == "passed"


def test_a_check_lost_in_the_queue_fails_visibly(world, enrolled, draft, blink_frames):
    quanke = world.quanke
    check_id = _queued_but_not_run(world, draft, blink_frames)
    _stuck(quanke, check_id, status="pending", minutes=11)
    assert face_check_status(quanke, world.citizen, check_id)["status"] == "error"


def test_the_whole_remote_flow_face_sms_esign_then_submit(world, enrolled, draft, blink_frames, kit,
                                                          sms_capture):
    from core.identity.esign import commitment_for, sign_commitment
    from core.identity.sms import confirm_phone, send_identity_code
    quanke = world.quanke
    with pytest.raises(InvalidState) as exc:
        acceptance.submit_application(quanke, world.citizen, draft.id)
    assert exc.value.code == "identity_required"
    assert start_face_check(quanke, world.citizen, draft.id, blink_frames)["passed"]
    sent = send_identity_code(quanke, world.citizen, draft.id, purpose="sms")
    confirm_phone(quanke, world.citizen, draft.id, sms_capture.last_code())
    text = commitment_for(quanke, draft.id)
    signature = kit.png(_signature_pixels())
    send_identity_code(quanke, world.citizen, draft.id, purpose="esign",
                       at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=61))
    signed = sign_commitment(quanke, world.citizen, draft.id, text_sha256=text["sha256"],
                             sms_code=sms_capture.last_code(), signature_png=signature, ip="10.0.0.1")
    app = acceptance.submit_application(quanke, world.citizen, draft.id)
    assert app.state == "submitted" and sorted(app.identity_passed) == ["esign", "face", "sms"]
    evidence = identity_evidence(quanke, world.counter, draft.id)
    assert evidence["complete"] and [st["step"] for st in evidence["steps"]] == ["esign", "face", "sms"]
    steps = {st["step"]: st for st in evidence["steps"]}
    assert steps["sms"]["evidence"]["phone"] == sent["phone_masked"]
    assert steps["esign"]["evidence"]["pdf_sha256"] == signed["pdf_sha256"]
    assert evidence["face_checks"][0]["status"] == "passed" and evidence["signature"]["method"] == "drawn"
    assert face_checks_for(quanke, world.citizen, draft.id)[0]["passed"]
    with pytest.raises(Forbidden):
        identity_evidence(quanke, world.other_citizen, draft.id)


def _signature_pixels():
    import numpy as np
    canvas = np.full((150, 400, 3), 255, dtype=np.uint8)
    for x in range(40, 360):
        y = int(75 + 40 * np.sin(x / 25))
        canvas[y - 2:y + 2, x] = 20
    return canvas
