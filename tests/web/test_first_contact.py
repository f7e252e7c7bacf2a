"""首问负责制: a named owner from first receipt until a named handover; enquiries recorded
in seconds with their answer or their handover; the counter home lists 我首问的."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core import acceptance, approval
from core.acceptance import first_contact
from core.platform.audit import AuditEvent
from core.platform.errors import Forbidden, InvalidInput
from core.platform.models import Application, Enquiry
from core.testing import drive_to, snapshot


def test_the_filing_worker_owns_the_case_until_a_named_handover(world):
    quanke = world.quanke
    app = drive_to(world, "accepted")
    assert app.owner_id == world.users["counter"].id          # filed it: 首问负责人
    with pytest.raises(Forbidden) as err:                    # not the owner
        first_contact.hand_over(quanke, world.users["counter_b"], app.id,
                                to_department="sample_dept", note="转")
    assert err.value.code == "not_owner"
    before = snapshot(quanke, app.id)
    with pytest.raises(InvalidInput) as err:                 # nobody named
        first_contact.hand_over(quanke, world.users["counter"], app.id, note="转")
    assert err.value.code == "next_owner_required" and snapshot(quanke, app.id) == before
    moved = first_contact.hand_over(quanke, world.users["counter"], app.id,
                                    to_user_id=world.users["counter_b"].id, note="申请人改到另一中心咨询")
    assert moved.owner_id == world.users["counter_b"].id
    with quanke.db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                   AuditEvent.action == "hand_over")).one()
    assert event.data["from_owner"] == "测试counter" and event.data["to_owner"] == "测试counter_b"
    assert event.data["note"] == "申请人改到另一中心咨询"


def test_an_online_application_is_owned_by_the_first_worker_who_handles_it(world):
    quanke = world.quanke
    service = quanke.service("sample.permit")
    draft = acceptance.file_application(quanke, world.citizen, service_code="sample.permit",
                                        applicant_id=world.citizen.applicant_id,
                                        form_data={"purpose": "网上申请"}, submit=False)
    submitted = acceptance.submit_application(quanke, world.citizen, draft.id)
    assert submitted.owner_id is None and service.identity == frozenset()
    returned = acceptance.return_for_correction(quanke, world.acceptor, draft.id)
    assert returned.owner_id == world.acceptor.id


def test_release_names_the_next_owner(world):
    quanke = world.quanke
    app = drive_to(world, "in_review")
    released = approval.release(quanke, world.approver, app.id, to_user_id=world.approver2.id,
                                note="本人回避")
    assert released.state == "in_review" and released.claimed_by_id == world.approver2.id
    back = approval.release(quanke, world.approver2, app.id)
    assert back.state == "accepted" and back.claimed_by_id is None
    with quanke.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                    AuditEvent.action == "release")
                           .order_by(AuditEvent.seq)).all()
    assert events[0].data["next_owner"] == "测试approver2"
    assert events[1].data["next_owner"] == "部门队列 sample_dept"


def test_owner_shown_on_the_pages_and_in_the_api(as_user, api, world):
    app = drive_to(world, "accepted")
    page = as_user("counter").text(f"/counter/applications/{app.id}")
    assert 'data-testid="owner">测试counter<' in page and "移交（首问负责）" in page
    other = as_user("approver").text(f"/approvals/applications/{app.id}")
    assert 'data-testid="owner">测试counter<' in other and "移交（首问负责）" not in other
    shown = api("counter", "get", f"/api/v1/applications/{app.id}").get_json()
    assert shown["owner"] == {"user_id": world.users["counter"].id, "department": None}
    r = api("counter", "post", f"/api/v1/applications/{app.id}/hand-over",
            json={"to_department": "sample_dept", "note": "请部门直接联系申请人"})
    assert r.status_code == 200 and r.get_json()["owner"] == {"user_id": None, "department": "sample_dept"}
    assert "示例审批局（部门队列）" in as_user("approver").text(f"/approvals/applications/{app.id}")


def test_enquiry_answered_on_the_spot_or_handed_over_then_answered(as_user, world):
    b = as_user("counter")
    r = b.post("/counter/enquiries", {"question": "个体户开店要带什么材料？", "answer": "身份证、场地证明"},
               follow_redirects=True)
    assert "咨询已登记并答复" in r.get_data(as_text=True)
    r = b.post("/counter/enquiries", {"question": "档案馆的婚姻档案能查到哪一年？"}, follow_redirects=True)
    assert "请填写答复，或指定移交的人员或部门" in r.get_data(as_text=True)
    b.post("/counter/enquiries", {"question": "档案馆的婚姻档案能查到哪一年？",
                                  "to_user_id": str(world.users["counter_b"].id), "note": "熟悉档案业务"})
    home = b.text("/counter/")
    assert "个体户开店要带什么材料" in home and "已移交" in home and "测试counter_b" in home
    with world.quanke.db.session() as s:
        handed = s.scalars(select(Enquiry).where(Enquiry.state == "handed_over")).one()
        handed_id = handed.id
    # only the named owner answers it; it waits on their home page
    assert b.post(f"/counter/enquiries/{handed_id}/answer", {"answer": "x"}).status_code == 403
    colleague = as_user("counter_b")
    assert "档案馆的婚姻档案能查到哪一年" in colleague.text("/counter/")
    colleague.post(f"/counter/enquiries/{handed_id}/answer", {"answer": "1950年以后的都有"})
    with world.quanke.db.session() as s:
        done = s.get(Enquiry, handed_id)
        assert done.state == "answered" and done.answer == "1950年以后的都有"
        assert done.received_by_id == world.users["counter"].id      # still the first contact
        actions = [e.action for e in s.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "enquiry").order_by(AuditEvent.seq))]
    assert actions == ["enquiry_recorded", "enquiry_recorded", "enquiry_answered"]


def test_enquiry_by_api_and_bad_input(api, world):
    r = api("counter", "post", "/api/v1/enquiries", json={"question": "取号在哪里", "answer": "一楼大厅"})
    assert r.status_code == 201 and r.get_json()["state"] == "answered"
    r = api("counter", "post", "/api/v1/enquiries", json={"question": "", "answer": "x"})
    assert r.status_code == 400 and r.get_json()["error"] == "text_required"
    r = api("counter", "post", "/api/v1/enquiries", json={"question": "q", "to_department": "nope", "note": "n"})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_next_owner"
    r = api("approver", "post", "/api/v1/enquiries", json={"question": "q", "answer": "a"})
    assert r.status_code == 403
    with world.quanke.db.session() as s:
        assert len(s.scalars(select(Enquiry)).all()) == 1


def test_an_answered_enquiry_can_be_rated_once(api, world):
    from core.acceptance.ratings import Rating
    made = api("counter", "post", "/api/v1/enquiries",
               json={"question": "居住证明怎么开", "to_user_id": world.users["counter_b"].id, "note": "转"}).get_json()
    r = api("counter", "post", f"/api/v1/enquiries/{made['id']}/rating", json={"level": 5})
    assert r.status_code == 409 and "答复后才能评价" in r.get_json()["message"]     # not answered yet
    answered = api("counter", "post", "/api/v1/enquiries", json={"question": "几点下班", "answer": "17:30"}).get_json()
    r = api("counter", "post", f"/api/v1/enquiries/{answered['id']}/rating", json={"level": 2, "comment": "态度一般"})
    assert r.status_code == 201
    assert api("counter", "post", f"/api/v1/enquiries/{answered['id']}/rating", json={"level": 5}).status_code == 409
    assert api("counter_unauth", "post", f"/api/v1/enquiries/{answered['id']}/rating",
               json={"level": 5}).status_code == 404                                  # another centre
    with world.quanke.db.session() as s:
        rating = s.scalars(select(Rating).where(Rating.enquiry_id == answered["id"])).one()
    assert rating.level == 2 and rating.staff_id == world.users["counter"].id
