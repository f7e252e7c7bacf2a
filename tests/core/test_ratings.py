"""Ratings (好差评) in the core: what can be rated and when (applications, served queue numbers,
a kind registered later such as enquiries), one subject per rating, and a bad rating's
follow-up that ends by telling the rater what was done — on SQLite and PostgreSQL."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.acceptance import ratings
from core.acceptance.ratings import FollowUp, Rating, Target
from core.platform.audit import AuditEvent
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Application, User
from core.testing import drive_to, seed_world

sys.path.insert(0, str(Path(__file__).parent))  # for `import rating_kit` (no packages in tests/)
from rating_kit import messages, served_ticket  # noqa: E402


def _rate(world, actor, kind, subject_id, level=1, comment=""):
    q = world.quanke
    with q.db.session() as s:
        who = s.get(type(actor), actor.id)
        return ratings.rate_subject(q, s, who, kind=kind, subject_id=subject_id, level=level,
                                    comment=comment)


def _close(world, follow_up_id, resolution, who="centre_admin"):
    with world.quanke.db.session() as s:
        return ratings.close_follow_up(s, s.get(User, world.users[who].id), follow_up_id,
                                       resolution=resolution)


def _follow_up(quanke, rating_id) -> FollowUp:
    with quanke.db.session() as s:
        return s.scalar(select(FollowUp).where(FollowUp.rating_id == rating_id))


def test_closing_a_follow_up_tells_the_rater_what_was_done(any_quanke):
    world = seed_world(any_quanke)
    app = drive_to(world, "accepted")
    rating = _rate(world, world.citizen, "application", app.id, level=1, comment="等了两个小时")
    item = _follow_up(any_quanke, rating.id)
    assert item.status == "open" and messages(any_quanke) == []
    closed = _close(world, item.id, "已电话致歉；高峰时段增开一个窗口。")
    assert closed.status == "closed" and closed.told == "sms"
    [sms] = messages(any_quanke)
    assert sms.recipient == "13900000001" and sms.channel == "sms"
    assert app.number in sms.body and "增开一个窗口" in sms.body
    with any_quanke.db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up_closed"))
    assert event.data["told"] == "sms" and event.application_id == app.id


def test_a_long_resolution_is_shortened_in_the_sms_and_kept_whole(quanke):
    world = seed_world(quanke)
    app = drive_to(world, "accepted")
    rating = _rate(world, world.citizen, "application", app.id, level=2)
    text = "整改" * 300
    _close(world, _follow_up(quanke, rating.id).id, text)
    [sms] = messages(quanke)
    assert len(sms.body) < 300 and sms.body.endswith("……")
    assert _follow_up(quanke, rating.id).resolution == text


def test_closing_without_a_written_resolution_is_refused_and_nothing_changes(any_quanke):
    world = seed_world(any_quanke)
    app = drive_to(world, "accepted")
    rating = _rate(world, world.citizen, "application", app.id, level=1)
    item = _follow_up(any_quanke, rating.id)
    for blank in ("", "   \n "):
        with pytest.raises(InvalidInput) as err:
            _close(world, item.id, blank)
        assert err.value.code == "resolution_required"
    assert _follow_up(any_quanke, rating.id).status == "open" and messages(any_quanke) == []


def test_a_follow_up_is_closed_once_and_the_rater_told_once(any_quanke):
    world = seed_world(any_quanke)
    app = drive_to(world, "accepted")
    rating = _rate(world, world.citizen, "application", app.id, level=1)
    item = _follow_up(any_quanke, rating.id)
    _close(world, item.id, "已回访")
    with pytest.raises(InvalidState) as err:
        _close(world, item.id, "再次回访", who="sys_admin")
    assert err.value.code == "already_closed" and len(messages(any_quanke)) == 1


def test_a_counter_rating_tells_the_applicant_who_stood_there(quanke):
    world = seed_world(quanke)
    app = drive_to(world, "accepted")
    rating = _rate(world, world.counter, "application", app.id, level=2)
    assert rating.channel == "counter" and rating.staff_id == world.counter.id
    _close(world, _follow_up(quanke, rating.id).id, "已当面致歉")
    [sms] = messages(quanke)
    with quanke.db.session() as s:
        assert sms.recipient == s.get(Application, app.id).applicant.phone
    assert sms.recipient_kind == "applicant"


# -- queue numbers (取号) ------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["waiting", "called", "no_show"])
def test_a_number_not_served_cannot_be_rated(quanke, status):
    world = seed_world(quanke)
    ticket_id = served_ticket(world, status=status)
    with pytest.raises(InvalidState) as err:
        _rate(world, world.counter, "ticket", ticket_id, level=5)
    assert err.value.code == "not_rateable"
    with quanke.db.session() as s:
        assert s.scalar(select(func.count(Rating.id))) == 0


def test_a_served_number_is_rated_once_naming_the_worker_who_served_it(any_quanke):
    world = seed_world(any_quanke)
    ticket_id = served_ticket(world)
    rating = _rate(world, world.acceptor, "ticket", ticket_id, level=4, comment="很快")
    assert (rating.ticket_id, rating.application_id, rating.kind) == (ticket_id, None, "ticket")
    assert rating.staff_id == world.counter.id and rating.channel == "counter"
    assert rating.centre_id == world.centre.id
    with pytest.raises(Conflict) as err:
        _rate(world, world.counter, "ticket", ticket_id, level=1)
    assert err.value.code == "already_rated"
    with any_quanke.db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "rated"))
    assert (event.object_type, event.object_id, event.data["level"]) == ("queue_ticket", str(ticket_id), 4)


def test_only_the_centre_and_the_appointment_holder_may_rate_a_number(quanke):
    world = seed_world(quanke)
    walk_in, booked = served_ticket(world), served_ticket(world, appointment=True)
    for who, ticket_id, error in ((world.counter_b, walk_in, NotFound), (world.citizen, walk_in, NotFound),
                                  (world.other_citizen, booked, NotFound), (world.approver, walk_in, Forbidden)):
        with pytest.raises(error):
            _rate(world, who, "ticket", ticket_id)
    rating = _rate(world, world.citizen, "ticket", booked, level=3)
    assert rating.channel == "portal" and rating.staff_id == world.counter.id


def test_a_bad_rating_of_a_number_is_followed_up_and_the_appointment_holder_told(any_quanke):
    world = seed_world(any_quanke)
    ticket_id = served_ticket(world, appointment=True)
    rating = _rate(world, world.citizen, "ticket", ticket_id, level=2, comment="态度差")
    item = _follow_up(any_quanke, rating.id)
    assert item.application_id is None and item.centre_id == world.centre.id
    _close(world, item.id, "已约谈窗口人员并致歉")
    [sms] = messages(any_quanke)
    assert sms.recipient == "13900000001" and sms.application_id is None
    assert world.centre.name in sms.body and "约谈" in sms.body


def test_a_walk_in_number_has_nobody_to_tell(quanke):
    world = seed_world(quanke)
    rating = _rate(world, world.counter, "ticket", served_ticket(world), level=1)
    with quanke.db.session() as s:
        assert ratings.rater_of(s, s.get(Rating, rating.id)) is None
    closed = _close(world, _follow_up(quanke, rating.id).id, "已调整叫号顺序")
    assert closed.told == "none" and messages(quanke) == []


# -- one subject, and kinds added later (enquiries) ---------------------------------------------

@pytest.mark.parametrize("subjects", [{}, {"application": True, "ticket": True}])
def test_the_database_holds_exactly_one_subject_per_rating(any_quanke, subjects):
    world = seed_world(any_quanke)
    values = {}
    if subjects.get("application"):
        values["application_id"] = drive_to(world, "accepted").id
    if subjects.get("ticket"):
        values["ticket_id"] = served_ticket(world)
    with pytest.raises(IntegrityError):
        with any_quanke.db.session() as s:
            s.add(Rating(service_code="x", level=3, channel="counter", **values))
            s.flush()


def test_a_kind_nobody_registered_is_refused_and_a_missing_enquiry_is_not_found(quanke):
    world = seed_world(quanke)
    with pytest.raises(InvalidInput) as err:
        _rate(world, world.counter, "complaint", 7)
    assert err.value.code == "unknown_rating_subject"
    with pytest.raises(NotFound) as missing:
        _rate(world, world.counter, "enquiry", 7)
    assert missing.value.code == "enquiry_not_found"
    with quanke.db.session() as s:
        assert s.scalar(select(func.count(Rating.id))) == 0


class _Enquiries:
    """What the enquiry code will register: here, enquiry 7 answered at the test centre."""

    kind = "enquiry"

    def __init__(self, world):
        self.world = world

    def target(self, session, actor, subject_id):
        return Target(column="enquiry_id", subject_id=subject_id, object_type="enquiry",
                      centre_id=self.world.centre.id, service_code="", channel="counter",
                      staff_id=actor.id, actor=f"user:{actor.id}")

    def rater(self, session, rating):
        return None

    def describe(self, session, rating):
        return f"咨询 {rating.enquiry_id}"


def test_a_registered_kind_is_rated_through_rate_subject(quanke, monkeypatch):
    world = seed_world(quanke)
    monkeypatch.setitem(ratings.SUBJECT_KINDS, "enquiry", _Enquiries(world))
    rating = _rate(world, world.counter, "enquiry", 7, level=2)
    assert (rating.kind, rating.enquiry_id, rating.subject_id) == ("enquiry", 7, 7)
    assert _follow_up(quanke, rating.id).application_id is None
    with pytest.raises(Conflict):
        _rate(world, world.counter, "enquiry", 7, level=5)


def test_bad_input_is_refused_and_nothing_saved(quanke):
    world = seed_world(quanke)
    app = drive_to(world, "accepted")
    for level, comment, code in ((0, "", "invalid_rating"), ("五", "", "invalid_rating"),
                                 (3, "x" * 1001, "comment_too_long"), (3, "a\x00b", "control_characters")):
        with pytest.raises(InvalidInput) as err:
            _rate(world, world.citizen, "application", app.id, level=level, comment=comment)
        assert err.value.code == code
    with quanke.db.session() as s:
        assert s.scalar(select(func.count(Rating.id))) == 0
