"""The counter workbench: applicant, catalog, form and checklist, checks, accept/return/refuse,
pickup at another centre, queue numbers, the second-screen rating."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from core.platform.models import Application, Decision, State
from core.acceptance.ratings import FollowUp, Rating
from core.testing import drive_to, snapshot
from core.acceptance.tickets import QueueTicket
from core.ops.demo import valid_resident_id

from core.testing import TINY_PNG as PNG  # a real image: uploads are re-encoded
PDF = b"%PDF-1.4\n" + b"x" * 100


def count_apps(quanke):
    with quanke.db.session() as s:
        return s.scalar(select(func.count(Application.id)))


def test_home_shows_today_and_queue(as_user, world):
    page = as_user("counter").text("/counter/")
    assert "窗口工作台" in page and "叫下一位" in page


def test_validate_id_json(as_user):
    b = as_user("counter")
    good = b.get(f"/validate-id?kind=person&number={valid_resident_id('11010519491231002')}").get_json()
    assert good["ok"] and good["birth_date"] == "1949-12-31"
    bad = b.get("/validate-id?kind=person&number=110105194912310020").get_json()
    assert not bad["ok"] and "校验位" in bad["message"]
    short = b.get("/validate-id?kind=person&number=1234").get_json()
    assert not short["ok"] and "18位" in short["message"]
    ent = b.get("/validate-id?kind=enterprise&number=91320102MA1XXXXX0X").get_json()
    assert not ent["ok"]


def test_register_new_applicant_then_find(as_user, world):
    b = as_user("counter")
    number = valid_resident_id("32010219700101003")
    first = b.post("/counter/applicant", {"kind": "person", "id_number": number})
    assert "还没有该申请人" in first.get_data(as_text=True)
    made = b.post("/counter/applicant", {"kind": "person", "id_number": number, "name": "新来的",
                                         "phone": "13911112222"})
    assert made.status_code == 302 and "/counter/applicants/" in made.headers["Location"]
    again = b.post("/counter/applicant", {"kind": "person", "id_number": number.lower()})
    assert again.headers["Location"] == made.headers["Location"]
    page = b.text(made.headers["Location"])
    assert number not in page and number[:4] + "**" in page  # masked by default
    revealed = b.text(made.headers["Location"] + "?reveal=1")
    assert number in revealed
    from core.platform.audit import AuditEvent
    with world.quanke.db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "view_personal_data")) == 1


def test_invalid_id_is_reported_next_to_field(as_user):
    b = as_user("counter")
    page = b.post("/counter/applicant", {"kind": "person", "id_number": "110105194912310020",
                                         "name": "张三"}).get_data(as_text=True)
    assert "校验位不正确" in page and 'aria-invalid="true"' in page


def test_catalog_search_by_pinyin_initials_and_centre(as_user, world):
    b = as_user("counter")
    aid = world.citizen.applicant_id
    page = b.text(f"/counter/applicants/{aid}?q=gtgs")
    assert "个体工商户设立登记" in page and "档案查询" not in page
    assert "示例许可" in b.text(f"/counter/applicants/{aid}?q=slxk")
    found = b.get("/counter/services?q=yyzz").get_json()  # initials of the keyword 营业执照
    assert "business_license.individual" in [s["code"] for s in found]
    found = b.get("/counter/services?q=营业执照").get_json()
    assert "business_license.individual" in [s["code"] for s in found]
    # a station not authorised for anything finds nothing
    assert as_user("counter_unauth").get("/counter/services?q=").get_json() == []


def apply_sample(b, world, *, purpose="开办示例", paper=("id_proof",), consent=True, key="k1", files=None):
    data = {"f-purpose": purpose, "idempotency_key": key, "delivery_method": "pickup"}
    for code in paper:
        data[f"mat-{code}"] = "paper"
    if consent:
        data["consent"] = "y"
    data.update(files or {})
    return b.post(f"/counter/applicants/{world.citizen.applicant_id}/apply/sample.permit", data,
                  content_type="multipart/form-data")


def test_apply_accept_flow_with_receipt(as_user, world):
    b = as_user("counter")
    form = b.text(f"/counter/applicants/{world.citizen.applicant_id}/apply/sample.permit")
    assert 'name="f-purpose"' in form and "身份证明" in form and 'name="idempotency_key"' in form
    r = apply_sample(b, world)
    assert r.status_code == 302
    app_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    page = b.text(f"/counter/applications/{app_id}")
    assert "受理前核查" in page and "用途正常" in page and "通过" in page
    r = b.post(f"/counter/applications/{app_id}/accept", {})
    assert r.status_code == 302
    with world.quanke.db.session() as s:
        app = s.get(Application, app_id)
        assert app.state == State.ACCEPTED.value and app.receipt_no and app.on_behalf
        assert app.centre_id == world.centre.id
    page = b.text(f"/counter/applications/{app_id}")
    assert "已受理" in page and app.receipt_no in page
    assert "/documents/" in page  # receipt to print


def test_double_submit_gives_one_application(as_user, world):
    b = as_user("counter")
    before = count_apps(world.quanke)
    first = apply_sample(b, world, key="same-key")
    second = apply_sample(b, world, key="same-key")
    assert first.headers["Location"] == second.headers["Location"]
    assert count_apps(world.quanke) == before + 1


def test_consent_required_and_form_errors_shown(as_user, world):
    b = as_user("counter")
    before = count_apps(world.quanke)
    page = apply_sample(b, world, consent=False).get_data(as_text=True)
    assert "请确认申请人同意" in page
    page = apply_sample(b, world, purpose="x").get_data(as_text=True)  # too short for the plugin form
    assert 'class="error"' in page and 'aria-invalid="true"' in page
    assert count_apps(world.quanke) == before


def test_warn_needs_reason_block_stops_acceptance(as_user, world):
    b = as_user("counter")
    app_id = int(apply_sample(b, world, purpose="需要提示的用途", key="w").headers["Location"].split("/")[-1])
    page = b.text(f"/counter/applications/{app_id}")
    assert "提示受理理由" in page or "提示事项的受理理由" in page
    r = b.post(f"/counter/applications/{app_id}/accept", {}, follow_redirects=True)
    assert "须记录理由" in r.get_data(as_text=True)
    b.post(f"/counter/applications/{app_id}/accept", {"warn_reason": "已当面核实用途"})
    with world.quanke.db.session() as s:
        assert s.get(Application, app_id).state == State.ACCEPTED.value
    blocked = int(apply_sample(b, world, purpose="禁止的用途", key="bl").headers["Location"].split("/")[-1])
    page = b.text(f"/counter/applications/{blocked}")
    assert "阻止" in page and "不能受理" in page
    before = snapshot(world.quanke, blocked)
    r = b.post(f"/counter/applications/{blocked}/accept", {}, follow_redirects=True)
    assert "核查未通过" in r.get_data(as_text=True)
    assert snapshot(world.quanke, blocked)["row"]["state"] == before["row"]["state"]


def test_return_lists_every_gap_and_refuse(as_user, world):
    b = as_user("counter")
    app_id = int(apply_sample(b, world, paper=(), key="r").headers["Location"].split("/")[-1])
    b.post(f"/counter/applications/{app_id}/return", {"defect-photo": "1", "reason-photo": "照片模糊",
                                                       "note": "请一并带原件"})
    with world.quanke.db.session() as s:
        app = s.get(Application, app_id)
        gaps = s.scalars(select(Decision).where(Decision.application_id == app_id)).one().gaps
    assert app.state == State.CORRECTION_REQUESTED.value
    assert {g["code"] for g in gaps} == {"id_proof", "photo"}
    other = int(apply_sample(b, world, key="rf").headers["Location"].split("/")[-1])
    r = b.post(f"/counter/applications/{other}/refuse", {"reasons": ""}, follow_redirects=True)
    assert "请填写" in r.get_data(as_text=True)
    b.post(f"/counter/applications/{other}/refuse", {"reasons": "不属于本中心受理范围"})
    with world.quanke.db.session() as s:
        assert s.get(Application, other).state == State.NOT_ACCEPTED.value


def test_uploads_checked_type_and_size(as_user, world):
    b = as_user("counter")
    before = count_apps(world.quanke)
    fake = apply_sample(b, world, key="u1", files={"file-photo": (io.BytesIO(b"MZ\x90\x00not an image"), "photo.png")})
    assert "文件类型不符" in fake.get_data(as_text=True)
    big = apply_sample(b, world, key="u2", files={"file-photo": (io.BytesIO(PNG + b"\0" * 300_000), "big.png")})
    assert "文件过大" in big.get_data(as_text=True)
    assert count_apps(world.quanke) == before
    ok = apply_sample(b, world, key="u3", files={"file-photo": (io.BytesIO(PNG), "p.png")})
    app_id = int(ok.headers["Location"].split("/")[-1])
    with world.quanke.db.session() as s:
        mats = s.get(Application, app_id).materials
        scan = [m for m in mats if m.status == "scan"][0]
    img = b.get(f"/materials/{scan.id}")
    assert img.status_code == 200 and img.mimetype == "image/png"
    assert as_user("counter_b").get(f"/materials/{scan.id}").status_code == 404


def test_request_too_large_is_a_clear_413(as_user, web, world):
    web.config["MAX_CONTENT_LENGTH"] = 50_000
    b = as_user("counter")
    r = apply_sample(b, world, key="huge", files={"file-id_proof": (io.BytesIO(PDF + b"x" * 100_000), "a.pdf")})
    assert r.status_code == 413 and "过大" in r.get_data(as_text=True)


def test_html_in_text_fields_is_escaped(as_user, world):
    b = as_user("counter")
    evil = "<script>alert(1)</script>开办"
    app_id = int(apply_sample(b, world, purpose=evil, key="x").headers["Location"].split("/")[-1])
    page = b.text(f"/counter/applications/{app_id}")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    b.post(f"/counter/applications/{app_id}/refuse", {"reasons": "<img src=x onerror=alert(1)>"})
    page = b.text(f"/counter/applications/{app_id}")
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_attach_material_then_accept(as_user, world):
    b = as_user("counter")
    app_id = int(apply_sample(b, world, paper=(), key="am").headers["Location"].split("/")[-1])
    assert "材料不齐" in b.text(f"/counter/applications/{app_id}")
    b.post(f"/counter/applications/{app_id}/materials", {"mat-id_proof": "paper"})
    b.post(f"/counter/applications/{app_id}/accept", {})
    with world.quanke.db.session() as s:
        assert s.get(Application, app_id).state == State.ACCEPTED.value


def test_handover_at_another_centre_rechecks_identity(as_user, world):
    app = drive_to(world, "issued")
    other = as_user("counter_b")
    with world.quanke.db.session() as s:
        number = s.get(Application, app.id).applicant.id_number
        receipt = s.get(Application, app.id).receipt_no
    found = other.text(f"/counter/pickup?q={receipt}")
    assert "交付" in found and number not in found
    page = other.text(f"/counter/applications/{app.id}/deliver")
    assert "核验领取人身份" in page
    wrong = other.post(f"/counter/applications/{app.id}/deliver",
                       {"method": "pickup", "recipient_id_number": valid_resident_id("11010519491231002")})
    assert "不一致" in wrong.get_data(as_text=True)
    r = other.post(f"/counter/applications/{app.id}/deliver", {"method": "pickup", "recipient_id_number": number})
    assert r.status_code == 302
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).state == State.DELIVERED.value


def test_second_screen_rating_bad_opens_follow_up(as_user, world):
    app = drive_to(world, "accepted")
    b = as_user("acceptor")  # accepted it at the centre
    page = b.text(f"/counter/applications/{app.id}/rate")
    assert "非常满意" in page and "非常不满意" in page
    b.post(f"/counter/applications/{app.id}/rate", {"level": "1", "comment": "等太久"})
    with world.quanke.db.session() as s:
        rating = s.scalar(select(Rating))
        follow = s.scalar(select(FollowUp))
    assert rating.level == 1 and rating.channel == "counter"
    assert follow is not None and follow.status == "open" and follow.due_date
    again = b.text(f"/counter/applications/{app.id}/rate")
    assert "感谢您的评价" in again
    admin = as_user("centre_admin")
    assert "等太久" in admin.text("/admin/follow-ups")
    admin.post(f"/admin/follow-ups/{follow.id}/close", {"resolution": "已电话回访致歉"})
    with world.quanke.db.session() as s:
        assert s.get(FollowUp, follow.id).status == "closed"


def test_queue_take_call_and_appointment(as_user, world):
    kiosk = as_user(None)
    r = kiosk.post("/queue/T01", {"service_code": "sample.permit"})
    assert "A001" in r.get_data(as_text=True)
    kiosk.post("/queue/T01", {})
    b = as_user("counter")
    assert "A001" in b.text("/counter/queue") and "A002" in b.text("/counter/queue")
    r = b.post("/counter/queue/call", {"window": "3"}, follow_redirects=True)
    assert "A001" in r.get_data(as_text=True)
    r = b.post("/counter/queue/call", {"window": "3"}, follow_redirects=True)
    assert "A002" in r.get_data(as_text=True)
    with world.quanke.db.session() as s:
        states = dict(s.execute(select(QueueTicket.number, QueueTicket.status)).all())
    assert states == {"A001": "done", "A002": "called"}
    board = kiosk.text("/queue/T01/board")
    assert "A002" in board
    r = b.post("/counter/queue/call", {}, follow_redirects=True)
    assert "没有等候" in r.get_data(as_text=True)
    assert kiosk.get("/queue/NOPE").status_code == 404
    assert kiosk.post("/queue/T01", {"service_code": "bogus"}).status_code == 400


def test_withdraw_on_behalf_needs_reason(as_user, world):
    app = drive_to(world, "submitted")
    b = as_user("counter")
    r = b.post(f"/counter/applications/{app.id}/withdraw", {"reason": ""}, follow_redirects=True)
    assert "请填写" in r.get_data(as_text=True)
    b.post(f"/counter/applications/{app.id}/withdraw", {"reason": "申请人当面要求撤回"})
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).state == State.WITHDRAWN.value


def test_agent_files_without_centre(as_user, world):
    b = as_user("agent")
    r = apply_sample(b, world, key="ag")
    assert r.status_code == 302
    app_id = int(r.headers["Location"].split("/")[-1])
    with world.quanke.db.session() as s:
        assert s.get(Application, app_id).channel == "agent"
    page = b.text(f"/counter/applications/{app_id}")
    assert "受理并出具回执" not in page  # agents file, counters accept
