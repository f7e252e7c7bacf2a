"""The remote identity steps in the portal (face, SMS, e-signature) and the counter's video
check, through the Flask test client: every step, bad input, wrong order, expiry, double submit."""
from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from sqlalchemy import func, select, update

from core.platform import audit
from core.identity.models import FaceCheck
from core.platform.models import Application
from core.people.sms_login import SmsCode
from core.testing import drive_to

from identity_kit import REMOTE_SERVICE, enrol_astronaut, face_kit, last_code, make_runtime, signature_png

JSON = {"Accept": "application/json"}


@pytest.fixture
def quanke(sqlite_template, tmp_path):
    q = make_runtime(sqlite_template, tmp_path)
    yield q
    q.close()


@pytest.fixture
def draft(web, world):
    return drive_to(world, "draft", REMOTE_SERVICE.code)


@pytest.fixture
def kit():
    return face_kit()


@pytest.fixture
def enrolled(world, kit):
    return enrol_astronaut(world)


@pytest.fixture
def citizen(as_user):
    return as_user("citizen")


def url(draft, step=""):
    return f"/portal/applications/{draft.id}/identity" + (f"/{step}" if step else "")


def post_frames(browser, draft, frames, *, mode="camera", json=True):
    data = {"mode": mode, "csrf_token": browser.token(),
            "frames": [(io.BytesIO(f), f"frame{i}.jpg") for i, f in enumerate(frames)]}
    return browser.client.post(url(draft, "face"), data=data, content_type="multipart/form-data",
                               headers=JSON if json else {})


def checks(world) -> int:
    with world.quanke.db.session() as s:
        return s.scalar(select(func.count(FaceCheck.id)))


def passed_steps(world, draft) -> list:
    with world.quanke.db.session() as s:
        return sorted(s.get(Application, draft.id).identity_passed or [])


def identity_events(world, draft) -> list:
    with world.quanke.db.session() as s:
        return [e.data.get("step") for e in s.scalars(select(audit.AuditEvent).where(
            audit.AuditEvent.application_id == draft.id, audit.AuditEvent.action == "identity_step")
            .order_by(audit.AuditEvent.id))]


# -- the steps page and the order of steps ---------------------------------------------------

def test_submitting_first_leads_to_the_steps_in_order(citizen, draft):
    response = citizen.post(f"/portal/applications/{draft.id}/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith(url(draft))
    page = citizen.text(url(draft))
    assert "提交前须完成远程身份核验" in page
    names = [page.index(n) for n in ("人脸识别", "手机短信验证", "电子签名")]
    assert names == sorted(names)
    for step in ("face", "sms", "esign"):
        assert f'href="{url(draft, step)}"' in page
    assert "即将上线" not in page and 'id="submit-application"' not in page


def test_signing_before_the_face_step_is_refused(citizen, world, draft):
    page = citizen.text(url(draft, "esign"))
    assert "请先完成人脸识别" in page and 'id="esign-form"' not in page
    response = citizen.post(url(draft, "esign"), {"method": "typed", "typed_name": "x", "code": "123456",
                                                  "text_sha256": "0" * 64}, follow_redirects=True)
    assert response.status_code == 200
    assert passed_steps(world, draft) == []


def test_another_citizen_cannot_open_the_steps(as_user, draft):
    other = as_user("other_citizen")
    assert other.get(url(draft, "face")).status_code == 404
    assert other.get(url(draft, "sms")).status_code == 404
    assert post_frames(other, draft, [b"\xff\xd8\xff" + b"0" * 10]).status_code == 404


# -- face: bad input is refused before anything is stored or counted ----------------------------

@pytest.mark.parametrize("frames, code", [
    ([b"%PDF-1.4 not a selfie"], "invalid_image"),
    ([b"hello"] * 10, "invalid_image"),
    ([], "no_frames"),
    ([b"\xff\xd8\xff" + b"0" * 4_100_000], "file_too_large"),
    ([b"\xff\xd8\xff" + b"0" * 100] * 21, "too_many_frames"),
])
def test_bad_frames_get_a_clear_error_and_cost_no_attempt(citizen, world, draft, frames, code):
    response = post_frames(citizen, draft, frames)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == code and body["message"]
    assert checks(world) == 0
    page = citizen.text(url(draft, "face"))
    assert '<strong id="attempts-left">5</strong>' in page


def test_without_script_a_bad_upload_flashes_the_reason(citizen, draft):
    response = post_frames(citizen, draft, [b"GIF89a"], mode="upload", json=False)
    assert response.status_code == 302
    page = citizen.text(response.headers["Location"])
    assert "无法识别的图片，请重新拍摄" in page


def test_oversized_request_is_refused_cleanly(citizen, web, draft):
    web.config["MAX_CONTENT_LENGTH"] = 1_000_000
    response = post_frames(citizen, draft, [b"\xff\xd8\xff" + b"0" * 1_200_000])
    assert response.status_code == 413


# -- face: real checks ----------------------------------------------------------------------

def test_a_blink_burst_passes_and_is_audited(citizen, world, enrolled, draft, kit):
    response = post_frames(citizen, draft, kit.blink_burst(10))
    assert response.status_code == 200                     # inline jobs: done at once
    body = response.get_json()
    assert body["passed"] and body["match"] is True and body["liveness"] is True
    assert body["status_label"] == "通过" and body["message"] == "核验通过"
    assert body["attempts"] == {"left": 4, "per_hour": 5}
    assert body["next_url"].endswith(url(draft))
    assert passed_steps(world, draft) == ["face"] and identity_events(world, draft) == ["face"]
    # polling gives the same answer; the page says it passed and offers the next step
    assert citizen.get(body["poll_url"], headers=JSON).get_json()["status"] == "passed"
    assert "人脸识别已通过" in citizen.text(url(draft, "face"))
    again = post_frames(citizen, draft, kit.blink_burst(10))          # double submit
    assert again.status_code == 409 and again.get_json()["error"] == "face_already_passed"


def test_a_still_burst_fails_with_reasons_and_attempts_left(citizen, world, enrolled, draft, kit):
    response = post_frames(citizen, draft, kit.identical_burst(8), json=False)
    assert response.status_code == 302 and "check=" in response.headers["Location"]
    page = citizen.text(response.headers["Location"])
    assert "未通过" in page and "请眨眼" in page
    assert '<strong id="attempts-left">4</strong>' in page and "重新核验" in page
    assert passed_steps(world, draft) == []


def test_when_attempts_run_out_the_page_sends_the_citizen_to_a_counter(citizen, world, enrolled, draft):
    one_frame = [b"\xff\xd8\xff" + b"0" * 50]     # a camera "burst" of one frame: not_live at once
    for _ in range(5):
        assert post_frames(citizen, draft, one_frame).get_json()["status"] == "failed"
    last = post_frames(citizen, draft, one_frame)
    assert last.status_code == 429
    assert "1小时内人脸核验已达5次" in last.get_json()["message"]
    page = citizen.text(url(draft, "face"))
    assert "本小时核验次数已用完" in page and "预约到窗口办理" in page
    assert 'id="camera-start"' not in page
    assert checks(world) == 5


def test_someone_elses_check_cannot_be_polled(as_user, citizen, world, enrolled, draft):
    body = post_frames(citizen, draft, [b"\xff\xd8\xff" + b"0" * 50]).get_json()
    response = as_user("other_citizen").get(body["poll_url"], headers=JSON)
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden_role"


# -- counter: video check of borderline results ----------------------------------------------

def test_an_uploaded_photo_goes_to_a_counter_video_check(as_user, citizen, world, enrolled, draft, kit):
    body = post_frames(citizen, draft, [kit.jpeg(kit.astronaut_frame())], mode="upload").get_json()
    assert body["status"] == "needs_review" and body["status_label"] == "待工作人员视频核验"
    assert body["liveness"] is False
    counter = as_user("counter")
    queue = counter.text("/counter/identity/reviews")
    assert draft.number in queue and f"/counter/identity/checks/{body['id']}" in queue
    detail = counter.text(f"/counter/identity/checks/{body['id']}")
    assert "上传照片" in detail and "核验结束后已删除" in detail and "%.3f" % body["distance"] in detail
    # citizens and approvers do not decide video checks
    assert citizen.get(f"/counter/identity/checks/{body['id']}").status_code == 403
    assert as_user("approver").get("/counter/identity/reviews").status_code == 403
    # a decision needs a note
    counter.post(f"/counter/identity/checks/{body['id']}", {"decision": "pass", "note": " "})
    assert passed_steps(world, draft) == []
    counter.post(f"/counter/identity/checks/{body['id']}", {"decision": "pass",
                                                             "note": "视频通话核对本人与证件照片一致"})
    assert passed_steps(world, draft) == ["face"]
    with world.quanke.db.session() as s:
        event = s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "face_review")).one()
        assert event.data["note"] == "视频通话核对本人与证件照片一致" and event.actor.startswith("user:")
    # deciding twice is refused with a message, not a 500
    again = counter.post(f"/counter/identity/checks/{body['id']}", {"decision": "fail", "note": "再改"},
                         follow_redirects=True)
    assert again.status_code == 200 and "该核验不需要人工核验或已处理" in again.get_data(as_text=True)
    assert citizen.get(body["poll_url"], headers=JSON).get_json()["status"] == "passed"


# -- SMS ----------------------------------------------------------------------------------------

def test_phone_code_wrong_expired_then_right(citizen, world, draft):
    assert citizen.post(url(draft, "sms/send")).status_code == 302
    assert "验证码已发送至 139****0001" in citizen.text(url(draft, "sms") + "?sent=1")
    code = last_code()
    # a second code straight away is throttled, with a message
    page = citizen.post(url(draft, "sms/send"), follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in page and last_code() == code
    wrong = "000000" if code != "000000" else "111111"
    page = citizen.post(url(draft, "sms"), {"code": wrong}, follow_redirects=True).get_data(as_text=True)
    assert "验证码不正确" in page or "验证码错误" in page
    page = citizen.post(url(draft, "sms"), {"code": "abc"}, follow_redirects=True).get_data(as_text=True)
    assert passed_steps(world, draft) == []
    # five minutes later the code no longer works
    with world.quanke.db.session() as s:
        s.execute(update(SmsCode).values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    page = citizen.post(url(draft, "sms"), {"code": code}, follow_redirects=True).get_data(as_text=True)
    assert "失效" in page or "过期" in page
    assert passed_steps(world, draft) == []
    with world.quanke.db.session() as s:                       # a new code may be asked for now
        s.execute(update(SmsCode).values(created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=6)))
    citizen.post(url(draft, "sms/send"))
    response = citizen.post(url(draft, "sms"), {"code": last_code()})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(draft))
    assert passed_steps(world, draft) == ["sms"] and identity_events(world, draft) == ["sms"]
    assert "手机号码已验证" in citizen.text(url(draft, "sms"))


# -- e-signature, then submission -------------------------------------------------------------

def test_full_remote_flow_sign_then_submit_once(citizen, world, enrolled, draft, kit):
    assert post_frames(citizen, draft, kit.blink_burst(10)).get_json()["passed"]
    citizen.post(url(draft, "sms/send"))
    citizen.post(url(draft, "sms"), {"code": last_code()})
    page = citizen.text(url(draft, "esign"))
    assert "本人承诺所填信息真实、合法、有效。<br>如有不实" in page
    sha = page.split('name="text_sha256" value="')[1][:64]
    with world.quanke.db.session() as s:     # the signing code cannot come within a minute of the phone code
        s.execute(update(SmsCode).values(created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)))
    citizen.post(url(draft, "esign/send"))
    code = last_code()
    # bad signatures are refused with a message and keep the code usable
    for data in ({"method": "draw", "signature_data": "data:image/png;base64,!!!"},
                 {"method": "draw", "signature_data": "javascript:alert(1)"},
                 {"method": "draw"},
                 {"method": "typed", "typed_name": "李四"},
                 {"method": "typed", "typed_name": "x", "text_sha256": "0" * 64}):
        response = citizen.post(url(draft, "esign"), {"text_sha256": sha, "code": code, **data},
                                follow_redirects=True)
        assert response.status_code == 200 and 'class="flash flash-error"' in response.get_data(as_text=True)
    assert "esign" not in passed_steps(world, draft)
    drawn = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    response = citizen.post(url(draft, "esign"), {"method": "draw", "signature_data": drawn,
                                                  "text_sha256": sha, "code": code})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert passed_steps(world, draft) == ["esign", "face", "sms"]
    assert identity_events(world, draft) == ["face", "sms", "esign"]
    pdf = citizen.get(f"/portal/applications/{draft.id}/identity/commitment.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # signing again is refused (double submit), the first signature stays
    again = citizen.post(url(draft, "esign"), {"method": "draw", "signature_data": drawn,
                                               "text_sha256": sha, "code": code}, follow_redirects=True)
    assert again.status_code == 200
    overview = citizen.text(url(draft))
    assert 'id="submit-application"' in overview and "身份核验已全部通过" in overview
    first = citizen.post(f"/portal/applications/{draft.id}/submit")
    second = citizen.post(f"/portal/applications/{draft.id}/submit")
    assert first.status_code == second.status_code == 302
    with world.quanke.db.session() as s:
        assert s.get(Application, draft.id).state == "submitted"
        submits = s.scalar(select(func.count(audit.AuditEvent.id)).where(
            audit.AuditEvent.application_id == draft.id, audit.AuditEvent.action == "submit"))
    assert submits == 1

def test_the_counter_sees_the_identity_evidence_when_accepting(as_user, citizen, world, enrolled, draft, kit):
    from core.identity.esign import commitment_for
    assert post_frames(citizen, draft, kit.blink_burst(10)).get_json()["passed"]
    citizen.post(url(draft, "sms/send"))
    citizen.post(url(draft, "sms"), {"code": last_code()})
    with world.quanke.db.session() as s:
        s.execute(update(SmsCode).values(created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)))
    citizen.post(url(draft, "esign/send"))
    citizen.post(url(draft, "esign"), {"method": "typed", "typed_name": world.citizen.name, "code": last_code(),
                                       "text_sha256": commitment_for(world.quanke, draft.id)["sha256"]})
    citizen.post(f"/portal/applications/{draft.id}/submit")
    counter = as_user("counter")
    page = counter.text(f"/counter/applications/{draft.id}")
    evidence_url = f"/counter/identity/applications/{draft.id}"
    assert evidence_url in page
    page = counter.text(evidence_url)
    assert "已全部通过" in page and "眨眼活体通过" in page and "139****0001" in page and "输入姓名" in page
    with world.quanke.db.session() as s:
        full_id = s.get(Application, draft.id).applicant.id_number
    assert full_id not in page and "13900000001" not in page                 # masked identifiers only
    pdf_url = evidence_url + "/commitment.pdf"
    assert "查看承诺书须说明理由" in counter.post(pdf_url, {"reason": ""}, follow_redirects=True).get_data(as_text=True)
    pdf = counter.post(pdf_url, {"reason": "受理核对"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with world.quanke.db.session() as s:
        views = s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "view_personal_data",
                                                         audit.AuditEvent.object_type == "signed_commitment")).all()
    assert [v.data.get("reason") for v in views] == ["受理核对"]
    # a citizen and a visitor do not get the staff evidence page
    assert citizen.get(evidence_url).status_code == 403
    assert as_user(None).get(evidence_url).status_code == 302


def test_the_steps_speak_english_when_asked(citizen, world, enrolled, draft, kit):
    citizen.get("/lang/en")
    page = citizen.text(url(draft, "face"))
    assert "Face verification" in page and "Open the camera and start" in page and "人脸识别" not in page
    body = post_frames(citizen, draft, kit.identical_burst(6)).get_json()
    assert body["status_label"] == "Not passed" and body["message"] == "Please blink"
    assert "Signing code (6 digits)" not in citizen.text(url(draft, "esign"))   # face first
    assert "Please complete face verification first" in citizen.text(url(draft, "esign"))
    assert "SMS code (6 digits)" in citizen.text(url(draft, "sms"))


def test_only_counter_workers_open_the_video_check_pages(as_user, world, draft):
    """The identity pages are outside test_authorization_matrix (its services need no steps)."""
    from core.testing import WORLD_STAFF
    counters = {k for k, (roles, _) in WORLD_STAFF.items() if "counter" in roles}
    for who in list(WORLD_STAFF) + ["citizen", None]:
        status = as_user(who).get("/counter/identity/reviews").status_code
        expected = 200 if who in counters else (302 if who is None else 403)
        assert status == expected, (who, status)
    # the portal steps: only the applicant; staff get 403, visitors the login page
    for who in ("counter", "auditor"):
        assert as_user(who).get(url(draft, "face")).status_code == 403
    assert as_user(None).get(url(draft, "sms")).status_code == 302
    assert as_user("other_citizen").get(url(draft, "esign")).status_code == 404


def test_the_reference_photo_is_shown_for_the_video_check_with_an_audited_reason(as_user, citizen, world,
                                                                               enrolled, draft, kit):
    body = post_frames(citizen, draft, [kit.jpeg(kit.astronaut_frame())], mode="upload").get_json()
    counter = as_user("counter")
    page = counter.text(f"/counter/identity/checks/{body['id']}")
    ref = enrolled["id"]
    photo_url = f"/counter/identity/checks/{body['id']}/reference/{ref}"
    assert photo_url in page
    empty = counter.post(photo_url, {"reason": " "}, follow_redirects=True)
    assert "查看登记照片须说明理由" in empty.get_data(as_text=True)
    shown = counter.post(photo_url, {"reason": "视频核验比对"})
    assert shown.status_code == 200 and shown.mimetype.startswith("image/")
    assert shown.headers["Cache-Control"] == "no-store"
    assert counter.post(f"/counter/identity/checks/{body['id']}/reference/{ref + 1}",
                        {"reason": "x"}).status_code == 404          # not this check's reference
    with world.quanke.db.session() as s:
        views = s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "view_personal_data",
                                                         audit.AuditEvent.object_type == "face_reference")).all()
    assert len(views) == 1 and views[0].data.get("reason") == "视频核验比对"


@pytest.mark.redis
def test_with_a_queue_the_page_gets_202_and_polls_until_the_worker_is_done(sqlite_template, tmp_path, kit):
    """With Redis the check is queued: the upload answers 202 ``pending`` and the page polls.
    The job is then run as an rq worker runs it (run_face_check) and the poll shows the result."""
    import uuid

    from redis import Redis

    from core.identity.verification import run_face_check
    from core.testing import REDIS_TEST_URL, seed_world
    from web import create_app
    from webtools import Browser, sign_in
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    q = make_runtime(sqlite_template, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix,
                     SMS_SENDER="memory")
    try:
        assert not q.jobs.inline
        world = seed_world(q)
        enrol_astronaut(world)
        draft_app = drive_to(world, "draft", REMOTE_SERVICE.code)
        app = create_app(quanke=q)
        app.config.update(TESTING=True)
        client = app.test_client()
        sign_in(client, f"c:{world.citizen.id}")
        browser = Browser(client)
        response = post_frames(browser, draft_app, kit.blink_burst(10))
        assert response.status_code == 202
        body = response.get_json()
        assert body["status"] == "pending" and not body["done"] and body["status_label"] == "排队中"
        assert "attempts" not in body
        assert client.get(body["poll_url"], headers=JSON).get_json()["done"] is False
        assert run_face_check(q, check_id=body["id"], run=1) == "passed"
        done = client.get(body["poll_url"], headers=JSON).get_json()
        assert done["done"] and done["passed"] and done["attempts"]["left"] == 4
        with q.db.session() as s:
            assert s.get(Application, draft_app.id).identity_passed == ["face"]
    finally:
        redis = Redis.from_url(REDIS_TEST_URL)
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        q.close()

