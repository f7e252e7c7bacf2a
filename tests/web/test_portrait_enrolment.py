"""Remote face checks no longer dead-end (issue 21): a citizen without a registered portrait is
told what to do next, and the counter (page and API) enrols one — ID checked, photo taken or
uploaded, audited — after which the citizen's face check passes."""
from __future__ import annotations

import base64
import io

import pytest
from sqlalchemy import func, select

from core.identity.models import FaceReference
from core.platform import audit
from core.platform.models import Applicant
from core.testing import drive_to

from identity_kit import REMOTE_SERVICE, face_kit, make_runtime

JSON = {"Accept": "application/json"}


@pytest.fixture
def quanke(sqlite_template, tmp_path):
    q = make_runtime(sqlite_template, tmp_path)
    yield q
    q.close()


@pytest.fixture
def kit():
    return face_kit()


@pytest.fixture
def draft(web, world):
    return drive_to(world, "draft", REMOTE_SERVICE.code)


def _number(world) -> str:
    with world.quanke.db.session() as s:
        return s.get(Applicant, world.citizen.applicant_id).id_number


def _portraits(world) -> int:
    with world.quanke.db.session() as s:
        return s.scalar(select(func.count(FaceReference.id)).where(
            FaceReference.applicant_id == world.citizen.applicant_id))


def _face(browser, draft, frames):
    data = {"mode": "camera", "csrf_token": browser.token(),
            "frames": [(io.BytesIO(f), f"frame{i}.jpg") for i, f in enumerate(frames)]}
    return browser.client.post(f"/portal/applications/{draft.id}/identity/face", data=data,
                               content_type="multipart/form-data", headers=JSON)


def _enrol_form(browser, world, photo: bytes, *, shown: str, checked: bool = True):
    data = {"csrf_token": browser.token(), "shown_id_number": shown, "source": "live_photo",
            "photo": (io.BytesIO(photo), "photo.png")}
    if checked:
        data["id_checked"] = "y"
    return browser.client.post(f"/counter/applicants/{world.citizen.applicant_id}/portrait", data=data,
                               content_type="multipart/form-data", follow_redirects=True)


def test_without_a_portrait_the_citizen_is_told_what_to_do_next(as_user, world, draft, kit):
    citizen = as_user("citizen")
    body = _face(citizen, draft, kit.blink_burst(10)).get_json()
    assert body["status"] == "error" and body["enrol_first"] is True
    assert body["status_label"] == "尚未登记人像"               # not 核验服务异常
    assert "人像登记" in body["message"] and "便民服务中心" in body["message"]
    page = citizen.text(f"/portal/applications/{draft.id}/identity/face?check={body['id']}")
    assert "下一步：到窗口登记人像" in page and "核验服务异常" not in page
    retry = page.split('data-f="next-retry"')[1].split(">")[0]
    assert "hidden" in retry                                    # retrying cannot help yet


def test_the_counter_enrols_with_the_id_checked_then_the_face_check_passes(as_user, world, draft, kit):
    counter = as_user("counter")
    page = counter.text(f"/counter/applicants/{world.citizen.applicant_id}")
    assert "人像登记" in page and "未登记" in page
    form = counter.text(f"/counter/applicants/{world.citizen.applicant_id}/portrait")
    assert 'name="shown_id_number"' in form and 'capture="user"' in form and "portrait.js" in form
    photo = kit.png(kit.astronaut_frame())
    unchecked = _enrol_form(counter, world, photo, shown=_number(world), checked=False)
    assert "请先核验申请人本人的身份证件原件" in unchecked.get_data(as_text=True)
    from core.ops.demo import valid_resident_id
    wrong = _enrol_form(counter, world, photo, shown=valid_resident_id("11010519800101123"))
    assert "出示的证件与申请人不一致" in wrong.get_data(as_text=True)
    assert _portraits(world) == 0
    done = _enrol_form(counter, world, photo, shown=_number(world))
    assert "人像已登记" in done.get_data(as_text=True) and "使用中" in done.get_data(as_text=True)
    assert _portraits(world) == 1
    with world.quanke.db.session() as s:
        event = s.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "identity_enrolled")).one()
    assert event.actor == f"user:{world.counter.id}" and event.data["identity_checked"] is True
    assert event.data["source"] == "live_photo" and "encoding" not in event.data
    body = _face(as_user("citizen"), draft, kit.blink_burst(10)).get_json()
    assert body["passed"] is True


def test_a_photo_without_a_face_is_refused_clearly(as_user, world, kit):
    r = _enrol_form(as_user("counter"), world, kit.png(kit.blank()), shown=_number(world))
    assert "登记照片不可用" in r.get_data(as_text=True) and _portraits(world) == 0


def test_the_api_enrols_and_lists_portraits(api, world, kit):
    path = f"/api/v1/applicants/{world.citizen.applicant_id}/portraits"
    photo = base64.b64encode(kit.png(kit.astronaut_frame())).decode()
    assert api("approver", "post", path, json={"id_number": _number(world), "photo_base64": photo}).status_code == 403
    missing = api("counter", "post", path, json={"id_number": "", "photo_base64": photo})
    assert missing.status_code == 400 and missing.get_json()["error"] == "identity_check_required"
    bad = api("counter", "post", path, json={"id_number": _number(world), "photo_base64": "***"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "photo_base64"
    assert _portraits(world) == 0
    r = api("counter", "post", path, json={"id_number": _number(world), "photo_base64": photo, "source": "id_photo"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["source"] == "id_photo" and r.get_json()["active"] is True
    listed = api("counter", "get", path).get_json()["items"]
    assert [p["id"] for p in listed] == [r.get_json()["id"]] and "photo" not in listed[0]


def test_only_counter_workers_open_the_enrolment_page(as_user, world):
    path = f"/counter/applicants/{world.citizen.applicant_id}/portrait"
    assert as_user("counter").get(path).status_code == 200
    for who in ("approver", "auditor", "citizen"):
        assert as_user(who).get(path).status_code in (403, 404), who
