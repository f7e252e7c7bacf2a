"""Editing a draft (修改草稿): the workflow rule, the portal page, the counter page, the API.

Citizens edit their own drafts; a counter worker of an authorised centre may help with the
citizen's consent; anything but a draft is refused with a clear error and nothing changes."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core import acceptance
from core.platform.audit import AuditEvent
from core.platform.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Application, State
from core.testing import TINY_PNG, drive_to, snapshot  # uploads are re-encoded: a real image

PDF = b"%PDF-1.4\n" + b"x" * 100

COURIER = {"recipient": "测试收件人", "phone": "13900000001", "address": "南京市玄武区中山路1号"}


def draft(world, purpose="网上开办", with_scan=True) -> Application:
    from core.acceptance.uploads import Upload
    return acceptance.file_application(
        world.quanke, world.citizen, service_code="sample.permit",
        applicant_id=world.citizen.applicant_id, form_data={"purpose": purpose},
        uploads=[Upload("id_proof", "id.pdf", PDF)] if with_scan else [], submit=False)


def stored(world, app_id) -> Application:
    with world.quanke.db.session() as s:
        app = s.get(Application, app_id)
        _ = app.materials
        return app


def at_window(world, who="counter", citizen="citizen") -> None:
    """The worker re-checks the citizen's ID at the counter (core.people.presence): only then
    may they help with the citizen's drafts (tests/web/test_counter_presence.py)."""
    from core.people import presence
    from core.platform.models import Applicant, User
    with world.quanke.db.session() as s:
        applicant = s.get(Applicant, world.citizens[citizen].applicant_id)
        presence.identify(s, s.get(User, world.users[who].id), applicant.id, applicant.id_number, how="test")


def events(world, app_id, action="update_draft") -> list[AuditEvent]:
    with world.quanke.db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.application_id == app_id,
                                                       AuditEvent.action == action)))


# -- the workflow rule -------------------------------------------------------------------------

def test_citizen_edits_form_and_materials_audited_without_values(world):
    app = draft(world)
    assert app.state == State.DRAFT.value
    scan = stored(world, app.id).materials[0]
    from core.acceptance.uploads import Upload
    acceptance.update_draft(world.quanke, world.citizen, app.id, form_data={"purpose": "改为开办分店"},
                          remove_materials=[scan.id],
                          uploads=[Upload("id_proof", "id-new.pdf", PDF + b"new")],
                          delivery_method="courier", courier_address=COURIER)
    after = stored(world, app.id)
    assert after.form_data["purpose"] == "改为开办分店" and after.delivery_method == "courier"
    assert [m.filename for m in after.materials] == ["id-new.pdf"]
    assert after.state == State.DRAFT.value
    [event] = events(world, app.id)
    assert event.actor == f"citizen:{world.citizen.id}"
    assert event.data["fields"] == ["purpose"] and event.data["removed"] == ["id_proof"]
    assert event.data["courier_address"] == "changed"
    assert "改为开办分店" not in str(event.data)          # names of fields, never their values
    assert COURIER["address"] not in str(event.data)


def test_invalid_form_is_refused_and_nothing_changes(world):
    app = draft(world)
    before = snapshot(world.quanke, app.id)
    with pytest.raises(InvalidInput) as err:
        acceptance.update_draft(world.quanke, world.citizen, app.id, form_data={"purpose": ""})
    assert err.value.code == "invalid_form" and "purpose" in err.value.details["fields"]
    assert snapshot(world.quanke, app.id) == before and not events(world, app.id)


@pytest.mark.parametrize("state", ["submitted", "correction_requested", "accepted", "withdrawn"])
def test_any_state_but_draft_is_refused(world, state):
    app = drive_to(world, state)
    at_window(world)
    before = snapshot(world.quanke, app.id)
    with pytest.raises(InvalidState) as err:
        acceptance.update_draft(world.quanke, world.counter, app.id, form_data={"purpose": "改了"},
                              consent=True)
    assert err.value.code == "not_a_draft" and "只有草稿可以修改" in err.value.message
    assert snapshot(world.quanke, app.id) == before


def test_who_may_edit(world):
    app = draft(world)
    with pytest.raises(Forbidden):
        acceptance.update_draft(world.quanke, world.other_citizen, app.id, form_data={"purpose": "别人改"})
    with pytest.raises(Forbidden) as err:
        acceptance.update_draft(world.quanke, world.counter_unauth, app.id, form_data={"purpose": "无授权"},
                              consent=True)
    assert err.value.code == "centre_not_authorised"
    with pytest.raises(Forbidden):
        acceptance.update_draft(world.quanke, world.approver, app.id, form_data={"purpose": "审批改"})
    with pytest.raises(InvalidInput) as err:
        acceptance.update_draft(world.quanke, world.counter, app.id, form_data={"purpose": "窗口协助"})
    assert err.value.code == "consent_required"
    with pytest.raises(Forbidden) as err:   # consent alone is not enough: the citizen at the window
        acceptance.update_draft(world.quanke, world.counter, app.id, form_data={"purpose": "窗口协助"},
                                consent=True)
    assert err.value.code == "applicant_not_present"
    at_window(world)
    acceptance.update_draft(world.quanke, world.counter, app.id, form_data={"purpose": "窗口协助"},
                          paper=["id_proof"], consent=True)
    assert stored(world, app.id).form_data["purpose"] == "窗口协助"
    assert events(world, app.id)[-1].data["assisted_by_counter"] is True


def test_foreign_material_and_paper_from_a_citizen_are_refused(world):
    mine, theirs = draft(world), draft(world)
    other_scan = stored(world, theirs.id).materials[0].id
    with pytest.raises(NotFound) as err:
        acceptance.update_draft(world.quanke, world.citizen, mine.id, remove_materials=[other_scan])
    assert err.value.code == "material_not_found"
    with pytest.raises(InvalidInput) as err:
        acceptance.update_draft(world.quanke, world.citizen, mine.id, paper=["id_proof"])
    assert err.value.code == "scan_required"
    assert len(stored(world, theirs.id).materials) == 1


# -- the portal page ---------------------------------------------------------------------------

def test_portal_edit_page_keeps_input_on_error_then_saves(as_user, world):
    app = draft(world)
    b = as_user("citizen")
    assert "修改申请表和材料" in b.text(f"/portal/applications/{app.id}")
    page = b.text(f"/portal/applications/{app.id}/edit")
    assert 'value="网上开办"' in page and "id.pdf" in page
    before = snapshot(world.quanke, app.id)
    bad = b.post(f"/portal/applications/{app.id}/edit", {"f-purpose": "x", "delivery_method": "courier"},
                 content_type="multipart/form-data")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'aria-invalid="true"' in html and 'value="x"' in html
    assert snapshot(world.quanke, app.id) == before
    scan = stored(world, app.id).materials[0]
    r = b.post(f"/portal/applications/{app.id}/edit",
               {"f-purpose": "<script>alert(1)</script>开店", "delivery_method": "courier",
                **{f"courier_{k}": v for k, v in COURIER.items()},
                "remove": str(scan.id), "file-photo": (io.BytesIO(TINY_PNG), "p.png")},
               content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/portal/applications/{app.id}")
    after = stored(world, app.id)
    assert after.form_data["purpose"] == "<script>alert(1)</script>开店"
    assert [m.code for m in after.materials] == ["photo"] and after.delivery_method == "courier"
    shown = b.text(f"/portal/applications/{app.id}/edit")
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;" in shown


def test_portal_edit_after_submission_says_so_and_changes_nothing(as_user, world):
    app = draft(world)
    acceptance.submit_application(world.quanke, world.citizen, app.id)
    before = snapshot(world.quanke, app.id)
    b = as_user("citizen")
    r = b.post(f"/portal/applications/{app.id}/edit", {"f-purpose": "提交后再改"},
               content_type="multipart/form-data")
    assert r.status_code == 302
    assert "只有草稿可以修改" in b.text(r.headers["Location"])
    assert snapshot(world.quanke, app.id) == before


def test_other_citizen_and_counter_without_authorisation_get_404(as_user, world):
    app = draft(world)
    assert as_user("other_citizen").get(f"/portal/applications/{app.id}/edit").status_code == 404
    assert as_user("counter_unauth").get(f"/counter/drafts/{app.id}/edit").status_code == 404
    assert as_user("approver").get(f"/counter/drafts/{app.id}/edit").status_code == 403


# -- the counter page --------------------------------------------------------------------------

def test_counter_helps_with_consent_from_the_applicant_page(as_user, world):
    app = draft(world)
    at_window(world)
    b = as_user("counter")
    page = b.text(f"/counter/applicants/{world.citizen.applicant_id}")
    assert app.number in page and f"/counter/drafts/{app.id}/edit" in page
    assert "申请人已确认" in b.text(f"/counter/drafts/{app.id}/edit")
    no_consent = b.post(f"/counter/drafts/{app.id}/edit", {"f-purpose": "窗口协助修改"},
                        content_type="multipart/form-data")
    assert no_consent.status_code == 200 and 'value="窗口协助修改"' in no_consent.get_data(as_text=True)
    assert stored(world, app.id).form_data["purpose"] == "网上开办"
    r = b.post(f"/counter/drafts/{app.id}/edit", {"f-purpose": "窗口协助修改", "consent": "y",
                                                  "mat-id_proof": "paper"}, content_type="multipart/form-data")
    assert r.status_code == 302
    after = stored(world, app.id)
    assert after.form_data["purpose"] == "窗口协助修改" and after.state == State.DRAFT.value
    assert events(world, app.id)[-1].actor == f"user:{world.counter.id}"


# -- the API -----------------------------------------------------------------------------------

def test_api_patch_edits_a_draft_and_refuses_anything_else(web, world, api_tokens):
    client = web.test_client()
    app = draft(world)
    at_window(world)

    def patch(app_id, body, who="counter"):
        return client.patch(f"/api/v1/applications/{app_id}", json=body,
                            headers={"Authorization": f"Bearer {api_tokens[who]}"})
    r = patch(app.id, {"form_data": {"purpose": "接口修改"}, "consent": True, "delivery_method": "courier",
                       "courier_address": COURIER})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["form_data"]["purpose"] == "接口修改" and r.get_json()["state"] == "draft"
    assert patch(app.id, {"form_data": {"purpose": "接口修改"}}).get_json()["error"] == "consent_required"
    assert patch(app.id, {"form_data": "nope", "consent": True}).status_code == 400
    assert patch(app.id, {"remove_materials": ["1"], "consent": True}).status_code == 400
    assert patch(app.id, {"form_data": {"purpose": ""}, "consent": True}).get_json()["error"] == "invalid_form"
    assert patch(app.id, {"consent": True}, who="approver").status_code == 403
    assert patch(app.id, {"consent": True}, who="counter_unauth").status_code == 404
    submitted = drive_to(world, "submitted")
    r = patch(submitted.id, {"form_data": {"purpose": "已提交"}, "consent": True})
    assert r.status_code == 409 and r.get_json()["error"] == "not_a_draft"
    assert patch(2**31 - 1, {"consent": True}).status_code == 404
    spec = client.get("/api/openapi.json").get_json()
    assert "patch" in spec["paths"]["/api/v1/applications/{app_id}"]
