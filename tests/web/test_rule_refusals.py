"""A business rule that says no is shown on the case, with the reason; "you may not see this"
stays an error page (issue 21). Buttons the workflow would refuse are not shown."""
from __future__ import annotations

import re

from core import acceptance, approval
from core.platform.models import Application
from core.testing import drive_to, file_at_counter, snapshot


def _buttons(html: str) -> set[str]:
    return {" ".join(b.split()) for b in re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)}


def _accepted_by_acceptor(world):
    """Accepted by ``acceptor`` (counter + approver + lead of the department)."""
    app = file_at_counter(world)
    acceptance.accept(world.quanke, world.acceptor, app.id)
    return app


def test_the_person_who_accepted_sees_no_claim_button_and_why(as_user, world):
    app = _accepted_by_acceptor(world)
    page = as_user("acceptor").text(f"/approvals/applications/{app.id}")
    assert "认领" not in _buttons(page) and "分派" not in _buttons(page)
    assert "受审分离" in page
    other = as_user("approver").text(f"/approvals/applications/{app.id}")
    assert "认领" in _buttons(other) and "受审分离" not in other


def test_a_forced_claim_by_the_acceptor_stays_on_the_case_with_the_reason(as_user, world):
    app = _accepted_by_acceptor(world)
    before = snapshot(world.quanke, app.id)
    r = as_user("acceptor").post(f"/approvals/applications/{app.id}/claim")
    html = r.get_data(as_text=True)
    assert r.status_code == 403
    assert "无权访问" not in html                          # not the bare error page …
    assert "示例许可" in html and app.number in html        # … the case itself
    assert re.search(r'class="flash flash-error">[^<]*受审分离', html)
    assert snapshot(world.quanke, app.id) == before


def test_a_recheck_that_blocks_at_approval_is_shown_on_the_case(as_user, world):
    q = world.quanke
    app = file_at_counter(world, form={"purpose": "需要提示的用途"})
    acceptance.accept(q, world.counter, app.id, warn_reason="已核实")
    approval.claim(q, world.approver, app.id)
    with q.db.session() as s:          # what the check reads changed since acceptance
        s.get(Application, app.id).form_data = {"purpose": "禁止的用途"}
    r = as_user("approver").post(f"/approvals/applications/{app.id}/approve", {"issue": "y"})
    html = r.get_data(as_text=True)
    assert r.status_code == 403 and "无权访问" not in html
    assert re.search(r'class="flash flash-error">重新核查未通过，不能批准：用途含有禁止事项', html)
    assert "不予批准" in _buttons(html)                     # the approver can still decide
    with q.db.session() as s:
        assert s.get(Application, app.id).state == "in_review"


def test_an_approver_who_did_not_claim_sees_no_decision_form(as_user, world):
    app = drive_to(world, "in_review")        # claimed by ``approver``
    page = as_user("approver2").text(f"/approvals/applications/{app.id}")
    assert not {"批准", "不予批准", "出证"} & _buttons(page)
    r = as_user("approver2").post(f"/approvals/applications/{app.id}/approve")
    assert r.status_code == 403 and "只有认领人可以作出决定" in r.get_data(as_text=True)


def test_may_not_see_it_is_still_an_error_page(as_user, world):
    app = drive_to(world, "accepted")
    r = as_user("approver_other").post(f"/approvals/applications/{app.id}/claim")
    assert r.status_code == 404 and app.number not in r.get_data(as_text=True)
    r = as_user("auditor").post(f"/approvals/applications/{app.id}/claim")
    assert r.status_code == 403 and "无权访问" in r.get_data(as_text=True)


def test_the_pickup_centre_sees_no_acceptance_buttons(as_user, world):
    q = world.quanke
    app = acceptance.file_application(q, world.counter, service_code="sample.permit",
                                      applicant_id=world.citizen.applicant_id, form_data={"purpose": "开办示例"},
                                      paper=["id_proof"], consent=True, consent_text="申请人当面同意",
                                      pickup_centre_id=world.other_centre.id)
    page = as_user("counter_b").text(f"/counter/applications/{app.id}")
    assert app.number in page
    assert not {"受理并出具回执", "撤回"} & _buttons(page)
    assert "受理并出具回执" in _buttons(as_user("counter").text(f"/counter/applications/{app.id}"))
