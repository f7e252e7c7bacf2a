"""Ratings on the pages: a served queue number rated on the counter's second screen or in the
portal, a bad rating's follow-up closed and its resolution shown to the rater, and a worker's
appeal decided by the centre admin, with the statistics saying what was left out."""
from __future__ import annotations

from sqlalchemy import select

from core.acceptance import ratings, tickets
from core.acceptance.ratings import FollowUp, Rating, RatingAppeal
from core.platform.clock import today
from core.platform.models import OutboxMessage, User
from core.testing import drive_to


def _serve_at_counter(b) -> int:
    """Take a number at the kiosk, call it and finish it at the counter (browser ``b``)."""
    b.post("/queue/T01", {})
    b.post("/counter/queue/call", {"window": "3"})
    page = b.text("/counter/queue")
    ticket_id = int(page.split("/counter/queue/")[1].split("/finish")[0])
    assert b.post(f"/counter/queue/{ticket_id}/finish", {}).status_code == 302
    return ticket_id


def test_the_counter_offers_the_second_screen_for_a_served_number(as_user, world):
    b = as_user("counter")
    ticket_id = _serve_at_counter(b)
    assert f"/counter/tickets/{ticket_id}/rate" in b.text("/counter/queue")
    page = b.text(f"/counter/tickets/{ticket_id}/rate")
    assert "非常满意" in page and "A001" in page
    done = b.post(f"/counter/tickets/{ticket_id}/rate", {"level": "4", "comment": "很快"})
    assert "感谢您的评价" in done.get_data(as_text=True)
    with world.quanke.db.session() as s:
        rating = s.scalar(select(Rating))
    assert (rating.ticket_id, rating.level, rating.staff_id) == (ticket_id, 4, world.counter.id)
    assert f"/counter/tickets/{ticket_id}/rate" not in b.text("/counter/queue")  # rated: no longer offered


def test_a_number_still_being_served_shows_no_rating_form(as_user, world):
    b = as_user("counter")
    b.post("/queue/T01", {})
    b.post("/counter/queue/call", {})
    with world.quanke.db.session() as s:
        ticket_id = s.scalar(select(tickets.QueueTicket.id))
    page = b.text(f"/counter/tickets/{ticket_id}/rate")
    assert "号码办结后才能评价" in page and 'name="level"' not in page
    assert as_user("counter_b").get(f"/counter/tickets/{ticket_id}/rate").status_code == 404


def test_the_portal_rates_an_appointment_number_and_shows_what_the_centre_did(as_user, world):
    with world.quanke.db.session() as s:
        booked = tickets.Appointment(citizen_id=world.citizen.id, centre_id=world.centre.id,
                                     day=today(), slot="16:00")
        s.add(booked)
        s.flush()
        booked_id = booked.id
    counter = as_user("counter")
    counter.post(f"/counter/appointments/{booked_id}/check-in", {})
    counter.post("/counter/queue/call", {})
    with world.quanke.db.session() as s:
        ticket_id = s.scalar(select(tickets.QueueTicket.id).where(tickets.QueueTicket.appointment_id == booked_id))
    counter.post(f"/counter/queue/{ticket_id}/finish", {})
    citizen = as_user("citizen")
    assert "评价 Y001 号的服务" in citizen.text("/portal/appointments")
    citizen.post(f"/portal/tickets/{ticket_id}/rate", {"level": "2", "comment": "窗口人员在玩手机"})
    page = citizen.text("/portal/appointments")
    assert "窗口人员在玩手机" in page and "回访整改" in page
    assert as_user("other_citizen").post(f"/portal/tickets/{ticket_id}/rate", {"level": "5"}).status_code == 404
    with world.quanke.db.session() as s:
        follow_id = s.scalar(select(FollowUp.id))
    admin = as_user("centre_admin")
    assert "取号 Y001" in admin.text("/admin/follow-ups")
    admin.post(f"/admin/follow-ups/{follow_id}/close", {"resolution": "已约谈该窗口人员，纳入月度考核"})
    assert "纳入月度考核" in citizen.text("/portal/appointments")


def test_a_closed_follow_up_is_sent_and_shown_on_the_application_page(as_user, world):
    app = drive_to(world, "accepted")
    citizen = as_user("citizen")
    citizen.post(f"/portal/applications/{app.id}/rate", {"level": "1", "comment": "跑了三次"})
    with world.quanke.db.session() as s:
        follow_id = s.scalar(select(FollowUp.id))
    admin = as_user("centre_admin")
    page = admin.text("/admin/follow-ups")
    assert "短信告知评价人（139****0001）" in page and "跑了三次" in page
    refused = admin.post(f"/admin/follow-ups/{follow_id}/close", {"resolution": "  "}, follow_redirects=True)
    assert "请填写回访整改情况" in refused.get_data(as_text=True)
    with world.quanke.db.session() as s:
        assert s.get(FollowUp, follow_id).status == "open"
    closed = admin.post(f"/admin/follow-ups/{follow_id}/close", {"resolution": "已落实一次性告知，向您致歉"},
                        follow_redirects=True)
    assert "已短信告知评价人" in closed.get_data(as_text=True)
    assert "已落实一次性告知，向您致歉" in citizen.text(f"/portal/applications/{app.id}")
    with world.quanke.db.session() as s:
        sms = s.scalar(select(OutboxMessage).where(OutboxMessage.event == "follow_up_closed"))
    assert sms.recipient == "13900000001" and "向您致歉" in sms.body


def test_a_worker_appeals_and_the_centre_admin_upholds_it(as_user, world):
    q = world.quanke
    app = drive_to(world, "accepted")
    with q.db.session() as s:
        ratings.rate(q, s, s.get(User, world.counter.id), app.id, level=1, comment="不是他办的")
    worker = as_user("counter")
    page = worker.text("/counter/ratings")
    assert "不是他办的" in page and "提交申诉" in page
    with q.db.session() as s:
        rating_id = s.scalar(select(Rating.id))
    refused = worker.post(f"/counter/ratings/{rating_id}/appeal", {"reasons": ""}, follow_redirects=True)
    assert "请写明申诉理由" in refused.get_data(as_text=True)
    assert as_user("acceptor").post(f"/counter/ratings/{rating_id}/appeal", {"reasons": "x"}).status_code == 403
    worker.post(f"/counter/ratings/{rating_id}/appeal", {"reasons": "群众评价的是隔壁窗口"})
    again = worker.post(f"/counter/ratings/{rating_id}/appeal", {"reasons": "再交一次"}, follow_redirects=True)
    assert "每条评价只能申诉一次" in again.get_data(as_text=True)
    admin = as_user("centre_admin")
    queue = admin.text("/admin/appeals")
    assert "群众评价的是隔壁窗口" in queue and "测试counter" in queue
    with q.db.session() as s:
        appeal_id = s.scalar(select(RatingAppeal.id))
    admin.post(f"/admin/appeals/{appeal_id}/decide", {"decision": "uphold", "reasons": "经核实评价对象有误"})
    assert "申诉成立，不计入满意度统计" in worker.text("/counter/ratings")
    assert "另有 1 条评价经申诉复核成立" in admin.text("/admin/stats")
    csv = admin.get("/admin/stats.csv").get_data(as_text=True)
    assert "satisfaction_excluded,appeal_upheld,1" in csv
    assert "satisfaction,1,0" in csv


def test_a_decision_needs_a_conclusion_and_reasons(as_user, world):
    q = world.quanke
    app = drive_to(world, "accepted")
    with q.db.session() as s:
        rating = ratings.rate(q, s, s.get(User, world.counter.id), app.id, level=2)
        appeal_id = ratings.file_appeal(s, s.get(User, world.counter.id), rating.id, reasons="误评").id
    admin = as_user("centre_admin")
    for data, message in (({"reasons": "x"}, "请选择复核结论"), ({"decision": "reject"}, "请写明复核意见")):
        page = admin.post(f"/admin/appeals/{appeal_id}/decide", data, follow_redirects=True).get_data(as_text=True)
        assert message in page
    with q.db.session() as s:
        assert s.get(RatingAppeal, appeal_id).status == "pending"
