"""The citizen portal: real-name linking, guides, apply/draft/submit, correction by upload,
withdraw, rate, appointments; a citizen sees only their own applications."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import func, select

from core import acceptance
from core.platform.clock import today
from core.ops.demo import valid_resident_id
from core.platform.models import Application, Citizen, State
from core.testing import drive_to, snapshot
from core.acceptance.tickets import Appointment

from core.testing import TINY_PNG as PNG  # a real image: uploads are re-encoded
PDF = b"%PDF-1.4\n" + b"x" * 100


def test_home_lists_only_my_applications(as_user, world):
    mine = drive_to(world, "submitted")
    page = as_user("citizen").text("/portal/")
    assert mine.number in page
    assert mine.number not in as_user("other_citizen").text("/portal/")


def test_other_citizen_gets_404_and_nothing_changes(as_user, world):
    app = drive_to(world, "correction_requested")
    other = as_user("other_citizen")
    before = snapshot(world.quanke, app.id)
    assert other.get(f"/portal/applications/{app.id}").status_code == 404
    assert other.get(f"/portal/applications/{app.id}/identity").status_code == 404
    for action in ("submit", "withdraw", "resubmit", "rate"):
        r = other.post(f"/portal/applications/{app.id}/{action}", {"level": "5"})
        assert r.status_code in (302, 404)
    r = other.post(f"/portal/applications/{app.id}/materials",
                   {"file-id_proof": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 404
    assert snapshot(world.quanke, app.id) == before


def test_services_are_remote_ones_with_guide(as_user):
    b = as_user("citizen")
    page = b.text("/portal/services")
    assert "示例许可" in page
    guide = b.text("/portal/services/sample.permit")
    assert "办事指南" in guide and "身份证明" in guide
    assert "自受理之日起5个工作日内办结（《中华人民共和国行政许可法》第四十二条）" in guide
    assert b.get("/portal/services/nope.nope").status_code == 404


def test_profile_links_identity(as_user, web, world):
    from webtools import sign_in
    with world.quanke.db.session() as s:
        newcomer = Citizen(phone="13900000055")
        s.add(newcomer)
        s.flush()
        cid = newcomer.id
    from webtools import Browser
    b = Browser(web.test_client())
    sign_in(b.client, f"c:{cid}")
    r = b.get("/portal/services/sample.permit/apply")
    assert "/portal/profile" in r.headers["Location"]
    bad = b.post("/portal/profile", {"name": "新市民", "id_number": "110105194912310020"})
    assert "校验位" in bad.get_data(as_text=True)
    number = valid_resident_id("11010519800101003")
    b.post("/portal/profile", {"name": "新市民", "id_number": number})
    with world.quanke.db.session() as s:
        assert s.get(Citizen, cid).applicant_id is not None
    # somebody else's ID (already linked to another phone) cannot be claimed online
    with world.quanke.db.session() as s:
        taken = s.get(Citizen, world.citizen.id).applicant.id_number
        other = Citizen(phone="13900000056")
        s.add(other)
        s.flush()
        oid = other.id
    b2 = Browser(web.test_client())
    sign_in(b2.client, f"c:{oid}")
    r = b2.post("/portal/profile", {"name": "测试citizen", "id_number": taken})
    assert "其他手机号" in r.get_data(as_text=True)


def apply(b, *, action="submit", purpose="网上开办", key="p1", files=None):
    data = {"f-purpose": purpose, "idempotency_key": key, "action": action, "delivery_method": "pickup"}
    data.update(files or {})
    return b.post("/portal/services/sample.permit/apply", data, content_type="multipart/form-data")


def test_apply_submit_and_double_submit(as_user, world):
    b = as_user("citizen")
    r = apply(b, files={"file-id_proof": (io.BytesIO(PDF), "id.pdf")})
    assert r.status_code == 302
    r2 = apply(b, files={"file-id_proof": (io.BytesIO(PDF), "id.pdf")})
    assert r2.headers["Location"] == r.headers["Location"]
    with world.quanke.db.session() as s:
        apps = s.scalars(select(Application).where(Application.citizen_id == world.citizen.id)).unique().all()
    assert len(apps) == 1 and apps[0].state == State.SUBMITTED.value and apps[0].channel == "remote"
    page = b.text(r.headers["Location"])
    assert "已提交待受理" in page and "id.pdf" in page


def test_draft_then_upload_then_submit(as_user, world):
    b = as_user("citizen")
    r = apply(b, action="draft", key="d1")
    app_id = int(r.headers["Location"].split("/")[-1])
    page = b.text(f"/portal/applications/{app_id}")
    assert "草稿" in page and "提交申请" in page
    b.post(f"/portal/applications/{app_id}/materials", {"file-id_proof": (io.BytesIO(PDF), "id.pdf")},
           content_type="multipart/form-data")
    b.post(f"/portal/applications/{app_id}/submit")
    with world.quanke.db.session() as s:
        assert s.get(Application, app_id).state == State.SUBMITTED.value


def test_bad_uploads_rejected_clearly(as_user, world):
    b = as_user("citizen")
    r = apply(b, key="bu", files={"file-photo": (io.BytesIO(b"GIF89a fake"), "x.png")})
    assert "文件类型不符" in r.get_data(as_text=True)
    r = apply(b, key="bu2", files={"file-photo": (io.BytesIO(PNG + b"\0" * 250_000), "x.png")})
    assert "文件过大" in r.get_data(as_text=True)
    with world.quanke.db.session() as s:
        assert s.scalar(select(func.count(Application.id))) == 0


def test_correction_by_upload_then_accepted(as_user, world):
    b = as_user("citizen")
    r = apply(b, key="c1")  # no id_proof
    app_id = int(r.headers["Location"].split("/")[-1])
    counter = as_user("counter")
    # remote applications have no centre yet: the counter sees it by number via the API/pages
    acceptance.return_for_correction(world.quanke, world.counter, app_id)
    page = b.text(f"/portal/applications/{app_id}")
    assert "一次性补正告知" in page and "身份证明" in page
    b.post(f"/portal/applications/{app_id}/materials",
           {"file-id_proof": (io.BytesIO(PDF), "id.pdf"), "resubmit": "y"}, content_type="multipart/form-data")
    with world.quanke.db.session() as s:
        assert s.get(Application, app_id).state == State.SUBMITTED.value
    acceptance.accept(world.quanke, world.counter, app_id)
    assert "已受理" in b.text(f"/portal/applications/{app_id}")
    assert counter.get(f"/counter/applications/{app_id}").status_code == 200


def test_identity_required_service_cannot_be_submitted(as_user, world):
    """Services with remote identity steps stay drafts; the identity page marks nothing passed."""
    import dataclasses
    q = world.quanke
    strict = dataclasses.replace(q.service("sample.permit"), code="sample.strict", identity=frozenset({"face", "sms"}))
    q.plugins.services["sample.strict"] = strict
    try:
        b = as_user("citizen")
        r = b.post("/portal/services/sample.strict/apply", {"f-purpose": "网上开办", "idempotency_key": "s1",
                                                            "action": "submit"})
        assert r.headers["Location"].endswith("/identity")
        app_id = int(r.headers["Location"].split("/")[-2])
        with q.db.session() as s:
            assert s.get(Application, app_id).state == State.DRAFT.value
        b.post(f"/portal/applications/{app_id}/submit")
        page = b.text(f"/portal/applications/{app_id}/identity")
        assert "人脸识别" in page and f"/portal/applications/{app_id}/identity/face" in page  # issue 9: the steps are live
        with q.db.session() as s:
            app = s.get(Application, app_id)
            assert app.state == State.DRAFT.value and not app.identity_passed
    finally:
        q.plugins.services.pop("sample.strict")


def test_withdraw_and_rate(as_user, world):
    app = drive_to(world, "accepted")
    b = as_user("citizen")
    b.post(f"/portal/applications/{app.id}/rate", {"level": "5", "comment": "<b>很好</b>"})
    page = b.text(f"/portal/applications/{app.id}")
    assert "非常满意" in page and "&lt;b&gt;很好&lt;/b&gt;" in page
    b.post(f"/portal/applications/{app.id}/withdraw", {"reason": "不办了"})
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).state == State.WITHDRAWN.value


def next_workday():
    day = today() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def test_book_and_cancel_appointment_seen_at_counter(as_user, world):
    b = as_user("citizen")
    day = next_workday()
    r = b.post("/portal/appointments", {"centre": "T01", "day": day.isoformat(), "slot": "10:00",
                                        "service_code": "sample.permit"})
    assert r.status_code == 302
    page = b.text("/portal/appointments")
    assert day.isoformat() in page and "10:00" in page
    again = b.post("/portal/appointments", {"centre": "T01", "day": day.isoformat(), "slot": "11:00"})
    assert "已有预约" in again.get_data(as_text=True)
    past = b.post("/portal/appointments", {"centre": "T01", "day": "2000-01-03", "slot": "10:00"})
    assert "14天内" in past.get_data(as_text=True)
    with world.quanke.db.session() as s:
        appointment = s.scalar(select(Appointment))
        appointment.day = today()  # it is the day now: the counter sees it and checks in
    counter = as_user("counter")
    assert "10:00" in counter.text("/counter/queue")
    r = counter.post(f"/counter/appointments/{appointment.id}/check-in", follow_redirects=True)
    assert "Y001" in r.get_data(as_text=True)
    assert as_user("other_citizen").post(f"/portal/appointments/{appointment.id}/cancel").status_code == 404
    with world.quanke.db.session() as s:
        assert s.get(Appointment, appointment.id).status == "checked_in"
