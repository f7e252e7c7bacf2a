"""The API's rating endpoints: rating a served number, follow-ups that tell the rater, the
worker's ratings and appeals, the admin's decisions and the statistics that leave an upheld
rating out — with stable error codes for the wrong role, the wrong state and a double submit."""
from __future__ import annotations

from core.acceptance import tickets
from core.platform.models import Centre, User
from core.testing import drive_to


def _served(world) -> int:
    """The next waiting number (a new one when nobody waits), called and finished by ``counter``."""
    with world.quanke.db.session() as s:
        counter = s.get(User, world.counter.id)
        if not tickets.waiting(s, world.centre.id):
            tickets.take_ticket(s, s.get(Centre, world.centre.id))
        ticket = tickets.call_next(s, counter)
        tickets.finish(s, counter, ticket.id)
        return ticket.id


def test_rating_a_number_through_the_api(api, world):
    waiting = api("counter", "post", "/api/v1/tickets", json={}).get_json()["id"]
    r = api("counter", "post", f"/api/v1/tickets/{waiting}/rating", json={"level": 5})
    assert r.status_code == 409 and r.get_json()["error"] == "not_rateable"
    ticket_id = _served(world)
    assert ticket_id == waiting
    assert api("counter_b", "post", f"/api/v1/tickets/{ticket_id}/rating", json={"level": 5}).status_code == 404
    assert api("approver", "post", f"/api/v1/tickets/{ticket_id}/rating", json={"level": 5}).status_code == 403
    bad = api("counter", "post", f"/api/v1/tickets/{ticket_id}/rating", json={"level": 9})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_rating"
    r = api("counter", "post", f"/api/v1/tickets/{ticket_id}/rating", json={"level": 1, "comment": "叫号太乱"})
    assert r.status_code == 201
    body = r.get_json()
    assert (body["kind"], body["subject_id"], body["level"]) == ("ticket", ticket_id, 1)
    assert body["follow_up"] is not None
    again = api("counter", "post", f"/api/v1/tickets/{ticket_id}/rating", json={"level": 5})
    assert again.status_code == 409 and again.get_json()["error"] == "already_rated"
    [item] = api("centre_admin", "get", "/api/v1/follow-ups").get_json()["items"]
    assert (item["kind"], item["subject_id"], item["rater_reachable"]) == ("ticket", ticket_id, False)
    empty = api("centre_admin", "post", f"/api/v1/follow-ups/{item['id']}/close", json={"resolution": " "})
    assert empty.status_code == 400 and empty.get_json()["error"] == "resolution_required"
    closed = api("centre_admin", "post", f"/api/v1/follow-ups/{item['id']}/close", json={"resolution": "已整顿叫号"})
    assert closed.get_json() == {"id": item["id"], "status": "closed", "told": "none"}


def test_closing_an_application_follow_up_reports_the_sms(api, world):
    app = drive_to(world, "accepted")
    api("acceptor", "post", f"/api/v1/applications/{app.id}/rating", json={"level": 2})
    [item] = api("centre_admin", "get", "/api/v1/follow-ups").get_json()["items"]
    assert item["rater_reachable"] is True and item["subject"].startswith("申请 ")
    closed = api("centre_admin", "post", f"/api/v1/follow-ups/{item['id']}/close", json={"resolution": "已回访"})
    assert closed.get_json()["told"] == "sms"


def test_appeal_and_decision_through_the_api(api, world):
    app = drive_to(world, "accepted")
    rating = api("counter", "post", f"/api/v1/applications/{app.id}/rating", json={"level": 1}).get_json()
    [mine] = api("counter", "get", "/api/v1/ratings/mine").get_json()["items"]
    assert mine["id"] == rating["id"] and mine["appeal"] is None
    assert api("acceptor", "get", "/api/v1/ratings/mine").get_json()["items"] == []
    assert api("approver", "get", "/api/v1/ratings/mine").status_code == 403
    path = f"/api/v1/ratings/{rating['id']}/appeal"
    other = api("acceptor", "post", path, json={"reasons": "x"})
    assert other.status_code == 403 and other.get_json()["error"] == "not_rated_staff"
    blank = api("counter", "post", path, json={"reasons": ""})
    assert blank.status_code == 400 and blank.get_json()["error"] == "appeal_reasons_required"
    filed = api("counter", "post", path, json={"reasons": "评价的是隔壁窗口"})
    assert filed.status_code == 201 and filed.get_json()["status"] == "pending"
    double = api("counter", "post", path, json={"reasons": "再交一次"})
    assert double.status_code == 409 and double.get_json()["error"] == "already_appealed"
    assert api("sys_admin", "get", "/api/v1/appeals").status_code == 403
    assert api("centre_admin", "get", "/api/v1/appeals?status=nope").status_code == 400
    [queued] = api("centre_admin", "get", "/api/v1/appeals").get_json()["items"]
    decide = f"/api/v1/appeals/{queued['id']}/decide"
    missing = api("centre_admin", "post", decide, json={"reasons": "核实有误"})
    assert missing.status_code == 400 and missing.get_json()["field"] == "uphold"
    decided = api("centre_admin", "post", decide, json={"uphold": True, "reasons": "核实有误"}).get_json()
    assert decided["status"] == "upheld" and decided["rating"]["status"] == "appeal_upheld"
    twice = api("centre_admin", "post", decide, json={"uphold": False, "reasons": "改判"})
    assert twice.status_code == 409 and twice.get_json()["error"] == "appeal_already_decided"
    figures = api("centre_admin", "get", "/api/v1/stats").get_json()
    assert figures["satisfaction_excluded_by_appeal"] == 1
    assert dict(map(tuple, figures["satisfaction"]))[1] == 0
