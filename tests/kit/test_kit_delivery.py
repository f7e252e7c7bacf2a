"""The core's delivery choice (领取方式) with a courier address (issue 20 §5): validated on every
filing path, kept on the application, shown once on each page, and passed to the plugins'
``validate_application`` hook so a plugin never needs an address field of its own."""
import types

import pytest
from sqlalchemy import func, select

from core import hookimpl
from core.api import InvalidInput, accept, file_application, submit_application
from core.platform.audit import AuditEvent
from core.platform.models import Application
from core.testing import file_at_counter

ADDRESS = {"recipient": "张收件", "phone": "13912345678", "address": "南京市玄武区中山路88号3栋502室"}


@pytest.fixture
def seen(world):
    """A plugin that records the delivery it is shown and serves no courier for one purpose."""
    calls = []

    def validate_application(service, form_data, phase, delivery):
        calls.append((phase, delivery))
        if delivery["method"] == "courier" and form_data.get("purpose") == "当面领取":
            return {"delivery_method": "该用途的证照须本人到场领取"}
        return None
    plugin = types.ModuleType("kit_delivery_rule")
    plugin.validate_application = hookimpl(validate_application)
    world.quanke.plugins.pm.register(plugin, name="kit_delivery_rule")
    return calls


def _count(quanke) -> int:
    with quanke.db.session() as s:
        return s.scalar(select(func.count(Application.id)))


def test_courier_choice_is_validated_kept_and_shown_to_the_plugins(world, seen):
    app = file_at_counter(world, delivery_method="courier",
                          courier_address={**ADDRESS, "phone": "１３９ １２３４ ５６７８"})  # full-width
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).courier_address == ADDRESS
    assert seen[-1] == ("file", {"method": "courier", "method_label": "邮寄送达", "pickup_centre_id": None,
                                 "courier_address": ADDRESS})
    accept(world.quanke, world.acceptor, app.id)
    assert seen[-1][0] == "accept" and seen[-1][1]["courier_address"] == ADDRESS
    # pick-up: an address typed before switching back is not kept
    pickup = file_at_counter(world, delivery_method="pickup", courier_address=ADDRESS)
    with world.quanke.db.session() as s:
        assert s.get(Application, pickup.id).courier_address is None
    assert seen[-1][1]["method"] == "pickup" and seen[-1][1]["courier_address"] is None


@pytest.mark.parametrize("address, code, fields", [
    (None, "courier_address_required", {"courier_address", "courier_recipient", "courier_phone"}),
    ({**ADDRESS, "phone": "12345"}, "invalid_courier_address", {"courier_phone"}),
    ({**ADDRESS, "address": "中山路"}, "invalid_courier_address", {"courier_address"}),
    ({**ADDRESS, "recipient": "", "address": "南京\x00市"}, "invalid_courier_address",
     {"courier_recipient", "courier_address"}),
    ("中山路88号", "invalid_courier_address", None),
])
def test_bad_courier_details_are_refused_with_nothing_saved(world, seen, address, code, fields):
    before = _count(world.quanke)
    with pytest.raises(InvalidInput) as refused:
        file_at_counter(world, delivery_method="courier", courier_address=address)
    assert refused.value.code == code and refused.value.message
    if fields is not None:
        assert set(refused.value.details["fields"]) == fields
    assert _count(world.quanke) == before and seen == []   # refused before any plugin was asked


def test_a_landline_is_a_phone_a_courier_can_call(world, seen):
    app = file_at_counter(world, delivery_method="courier", courier_address={**ADDRESS, "phone": "025-84567890"})
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).courier_address["phone"] == "025-84567890"


def test_a_plugin_refuses_a_choice_its_service_cannot_serve(world, seen):
    with pytest.raises(InvalidInput) as refused:
        file_at_counter(world, form={"purpose": "当面领取"}, delivery_method="courier", courier_address=ADDRESS)
    assert refused.value.code == "invalid_form"
    assert refused.value.details["fields"] == {"delivery_method": ["该用途的证照须本人到场领取"]}
    file_at_counter(world, form={"purpose": "当面领取"}, delivery_method="pickup")


def test_drafts_carry_the_address_to_submission_audited_without_it(world, seen):
    draft = file_application(world.quanke, world.citizen, service_code="sample.permit",
                             applicant_id=world.citizen.applicant_id, form_data={"purpose": "网上开办"},
                             submit=False, delivery_method="courier", courier_address=ADDRESS)
    assert seen[-1][0] == "draft" and seen[-1][1]["courier_address"] == ADDRESS
    submit_application(world.quanke, world.citizen, draft.id)
    assert seen[-1][0] == "submit" and seen[-1][1]["courier_address"] == ADDRESS
    with world.quanke.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.application_id == draft.id)).all()
    assert events and all(ADDRESS["address"] not in str(e.data) and ADDRESS["phone"] not in str(e.data)
                          for e in events)


def test_counter_page_asks_once_prefills_and_shows_errors_by_the_field(signed_in, world):
    counter = signed_in("counter")
    url = f"/counter/applicants/{world.citizen.applicant_id}/apply/sample.permit"
    page = counter.text(url)
    assert page.count('name="courier_address"') == 1 and page.count('name="delivery_method"') == 1
    assert 'name="courier_recipient" value="测试citizen"' in page          # the known applicant
    assert 'name="courier_phone" value="13900000001"' in page
    form = {"f-purpose": "开办示例", "mat-id_proof": "paper", "consent": "y", "idempotency_key": "d1",
            "delivery_method": "courier", "courier_recipient": "测试citizen", "courier_phone": "13900000001"}
    refused = counter.post(url, form, content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="courier_address-error"' in html
    assert "邮寄地址应为5至200个字" in html and 'value="开办示例"' in html
    filed = counter.post(url, {**form, "courier_address": ADDRESS["address"]}, content_type="multipart/form-data")
    assert filed.status_code == 302
    app_id = int(filed.headers["Location"].rstrip("/").split("/")[-1])
    shown = counter.text(f"/counter/applications/{app_id}")
    assert "邮寄送达：测********，139****0001，南京市玄武区****" in shown   # masked on the details page
    from core.api import approve, claim, issue
    accept(world.quanke, world.acceptor, app_id)
    claim(world.quanke, world.approver, app_id)
    approve(world.quanke, world.approver, app_id)
    issue(world.quanke, world.approver, app_id)
    deliver = counter.text(f"/counter/applications/{app_id}/deliver")
    assert f"寄至：测试citizen，13900000001，{ADDRESS['address']}" in deliver
    with world.quanke.db.session() as s:
        views = s.scalars(select(AuditEvent).where(AuditEvent.application_id == app_id,
                                                   AuditEvent.action == "view_personal_data")).all()
    assert any("courier_address" in str(v.data) for v in views)


def test_portal_and_api_take_the_same_address(signed_in, world, seen):
    citizen = signed_in("citizen")
    page = citizen.text("/portal/services/sample.permit/apply")
    assert page.count('name="courier_address"') == 1 and 'value="13900000001"' in page
    r = citizen.post("/portal/services/sample.permit/apply",
                     {"f-purpose": "网上开办", "action": "draft", "idempotency_key": "p1",
                      "delivery_method": "courier", **{f"courier_{k}": v for k, v in ADDRESS.items()}},
                     content_type="multipart/form-data")
    assert r.status_code == 302
    app_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    assert ADDRESS["address"] in citizen.text(f"/portal/applications/{app_id}")   # their own, in full
    from core.people.tokens import create_token
    from core.platform.models import User
    with world.quanke.db.session() as s:
        token = create_token(s, s.get(User, world.counter.id), name="kit")
    api = citizen.client
    body = {"service_code": "sample.permit", "applicant_id": world.citizen.applicant_id,
            "form_data": {"purpose": "接口开办"}, "paper": ["id_proof"], "consent": True,
            "delivery_method": "courier"}
    headers = {"Authorization": f"Bearer {token}"}
    missing = api.post("/api/v1/applications", json=body, headers=headers)
    assert missing.status_code == 400 and missing.get_json()["error"] == "courier_address_required"
    made = api.post("/api/v1/applications", json={**body, "courier_address": ADDRESS}, headers=headers)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["courier_address"] == {"recipient": "张**", "phone": "139****5678",
                                                  "address": "南京市玄武区****"}
