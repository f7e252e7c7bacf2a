"""Approver queues: order, filters, counts, exclusive claim, bulk assign, decisions, clock."""
from __future__ import annotations

import datetime as dt

from core.platform.clock import today as local_today  # 北京时间: the service day, not the machine's UTC date
from core.platform.models import Application, State
from core.testing import drive_to, snapshot


def set_due(world, app_id, *, due, overdue=False):
    with world.quanke.db.session() as s:
        app = s.get(Application, app_id)
        app.due_date, app.overdue = due, overdue


def test_queue_order_overdue_first_then_nearest_due(as_user, world):
    a = drive_to(world, "accepted")
    b = drive_to(world, "accepted")
    c = drive_to(world, "accepted")
    today = local_today()
    set_due(world, a.id, due=today + dt.timedelta(days=9))
    set_due(world, b.id, due=today - dt.timedelta(days=2), overdue=True)
    set_due(world, c.id, due=today + dt.timedelta(days=1))
    page = as_user("approver").text("/approvals/sample_dept")
    positions = [page.index(x.receipt_no) for x in (b, c, a)]
    assert positions == sorted(positions)
    assert 'class="overdue"' in page and "已超期" in page


def test_counts_in_menu_and_filters(as_user, world):
    drive_to(world, "accepted")
    drive_to(world, "accepted")
    mine = drive_to(world, "in_review")  # claimed by `approver`
    b = as_user("approver")
    page = b.text("/approvals/sample_dept")
    assert '<span class="badge" title="待办">2</span>' in page
    only_mine = b.text("/approvals/sample_dept?status=mine")
    assert mine.receipt_no in only_mine and only_mine.count("<tr") == 2
    waiting = b.text("/approvals/sample_dept?status=waiting")
    assert mine.receipt_no not in waiting
    none = b.text(f"/approvals/sample_dept?centre={world.other_centre.id}")
    assert "队列为空" in none
    assert b.text("/approvals/sample_dept?status=bogus&service=x&centre=abc&page=-4")  # ignored, not 500


def test_queue_of_another_department_is_forbidden(as_user, world):
    assert as_user("approver_other").get("/approvals/sample_dept").status_code == 403
    assert as_user("approver").get("/approvals/other_dept").status_code == 403
    assert as_user("counter").get("/approvals/sample_dept").status_code == 403


def test_claim_is_exclusive_with_a_clear_message(as_user, world):
    app = drive_to(world, "accepted")
    first, second = as_user("approver"), as_user("approver2")
    first.post(f"/approvals/applications/{app.id}/claim")
    r = second.post(f"/approvals/applications/{app.id}/claim", follow_redirects=True)
    assert "已被测试approver认领" in r.get_data(as_text=True)
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).claimed_by_id == world.approver.id
    first.post(f"/approvals/applications/{app.id}/release")
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).state == State.ACCEPTED.value


def test_lead_bulk_assigns(as_user, world):
    apps = [drive_to(world, "accepted") for _ in range(3)]
    lead = as_user("lead")
    page = lead.text("/approvals/sample_dept")
    assert "批量分派" in page
    r = lead.post("/approvals/sample_dept/assign", {"app_id": [str(a.id) for a in apps] + ["999999"],
                                                    "approver_id": str(world.approver2.id)},
                  follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "已分派 3 件" in text and "#999999" in text
    with world.quanke.db.session() as s:
        assert {s.get(Application, a.id).claimed_by_id for a in apps} == {world.approver2.id}
    # not a lead: forbidden, nothing changes
    other = drive_to(world, "accepted")
    before = snapshot(world.quanke, other.id)
    assert as_user("approver").post("/approvals/sample_dept/assign",
                                    {"app_id": [str(other.id)], "approver_id": str(world.approver.id)}).status_code == 403
    assert snapshot(world.quanke, other.id) == before


def test_application_page_shows_everything(as_user, world):
    app = drive_to(world, "in_review")
    b = as_user("approver")
    page = b.text(f"/approvals/applications/{app.id}")
    for text in ("申请表内容", "申请材料", "核查证据", "办结期限", "办理过程", "受理", "认领",
                 "用途正常", "批准", "不予批准"):
        assert text in page, text
    assert "工作日" in page  # the due-date explanation
    number = app.applicant.id_number
    assert number not in page
    revealed = b.text(f"/approvals/applications/{app.id}?reveal=1")
    assert number in revealed


def test_changes_since_acceptance_are_shown(as_user, world):
    app = drive_to(world, "in_review")
    with world.quanke.db.session() as s:
        a = s.get(Application, app.id)
        a.form_data = {**a.form_data, "purpose": "需要提示的用途"}
    b = as_user("approver")
    b.post(f"/approvals/applications/{app.id}/recheck")
    page = b.text(f"/approvals/applications/{app.id}")
    assert "受理后核查结果有变化" in page


def test_approve_and_issue_then_reject_needs_reasons(as_user, world):
    app = drive_to(world, "in_review")
    b = as_user("approver")
    b.post(f"/approvals/applications/{app.id}/approve", {"reasons": "符合条件", "issue": "y"})
    with world.quanke.db.session() as s:
        assert s.get(Application, app.id).state == State.ISSUED.value
    page = b.text(f"/approvals/applications/{app.id}")
    assert "/documents/" in page
    other = drive_to(world, "in_review")
    r = b.post(f"/approvals/applications/{other.id}/reject", {"reasons": " "}, follow_redirects=True)
    assert "请填写" in r.get_data(as_text=True)
    b.post(f"/approvals/applications/{other.id}/reject", {"reasons": "不符合条件"})
    with world.quanke.db.session() as s:
        assert s.get(Application, other.id).state == State.REJECTED.value


def test_only_claimant_decides_and_acceptor_never(as_user, world):
    app = drive_to(world, "in_review")  # claimed by approver
    before = snapshot(world.quanke, app.id)
    r = as_user("approver2").post(f"/approvals/applications/{app.id}/approve", {}, follow_redirects=True)
    assert "认领" in r.get_data(as_text=True)
    assert snapshot(world.quanke, app.id) == before
    accepted = drive_to(world, "accepted")  # accepted by `acceptor`
    r = as_user("acceptor").post(f"/approvals/applications/{accepted.id}/claim", follow_redirects=True)
    assert "受审分离" in r.get_data(as_text=True)


def test_pause_resume_extend(as_user, world):
    app = drive_to(world, "in_review")
    b = as_user("approver")
    r = b.post(f"/approvals/applications/{app.id}/pause", {"reason": ""}, follow_redirects=True)
    assert "请填写" in r.get_data(as_text=True)
    b.post(f"/approvals/applications/{app.id}/pause", {"reason": "等待现场核查"})
    assert "恢复计时" in b.text(f"/approvals/applications/{app.id}")
    b.post(f"/approvals/applications/{app.id}/resume")
    lead = as_user("lead")
    r = lead.post(f"/approvals/applications/{app.id}/extend", {"days": "abc", "reason": "x"}, follow_redirects=True)
    assert "延长天数" in r.get_data(as_text=True)
    lead.post(f"/approvals/applications/{app.id}/extend", {"days": "3", "reason": "需专家论证"})
    with world.quanke.db.session() as s:
        a = s.get(Application, app.id)
        assert a.extension_days == 3 and not a.paused
    assert as_user("approver").post(f"/approvals/applications/{app.id}/extend",
                                    {"days": "2", "reason": "x"}).status_code == 403


def test_auditor_and_centre_admin_read_only(as_user, world):
    app = drive_to(world, "in_review")
    for who in ("auditor", "centre_admin"):
        page = as_user(who).text(f"/approvals/applications/{app.id}")
        assert "办理过程" in page and "批准后立即出证" not in page
    assert as_user("approver_other").get(f"/approvals/applications/{app.id}").status_code == 404
    assert as_user("sys_admin").get(f"/approvals/applications/{app.id}").status_code == 403


def test_queue_pages(as_user, world):
    apps = [drive_to(world, "accepted") for _ in range(3)]
    b = as_user("approver")
    first = b.text("/approvals/sample_dept?per_page=2")
    assert "第 1 / 2 页" in first and "page=2" in first
    second = b.text("/approvals/sample_dept?per_page=2&page=2")
    assert "上一页" in second and sum(a.receipt_no in second for a in apps) == 1
