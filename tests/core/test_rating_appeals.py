"""Appeals of mistaken ratings (申诉复核): the worker a rating names appeals once, with reasons;
the admin of the rating's centre upholds — the rating leaves the satisfaction statistics,
which say so — or rejects it. Wrong person, wrong state and a double submit are refused with
stable codes and change nothing. On SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core.acceptance import ratings
from core.acceptance.ratings import Rating, RatingAppeal
from core.ops import stats
from core.people.users import create_user
from core.platform.audit import AuditEvent
from core.platform.clock import today
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.platform.models import Citizen, User
from core.testing import PASSWORD, drive_to, seed_world


def _rated(world, level=1, by="counter") -> int:
    """An application rated on ``by``'s second screen: the rating names ``by``."""
    q = world.quanke
    app = drive_to(world, "accepted")
    with q.db.session() as s:
        return ratings.rate(q, s, s.get(User, world.users[by].id), app.id, level=level).id


def _appeal(world, rating_id, by="counter", reasons="评价人把我误认作邻窗的同事"):
    with world.quanke.db.session() as s:
        return ratings.file_appeal(s, s.get(User, world.users[by].id), rating_id, reasons=reasons)


def _decide(world, appeal_id, uphold=True, by="centre_admin", reasons="核对监控，评价对象有误"):
    with world.quanke.db.session() as s:
        return ratings.decide_appeal(s, s.get(User, world.users[by].id), appeal_id, uphold=uphold,
                                     reasons=reasons)


def _figures(world):
    with world.quanke.db.session() as s:
        out = stats.compute(s, today(), today(), centre_id=world.centre.id)
    return dict(out.satisfaction), out.satisfaction_excluded


def _appeal_count(quanke) -> int:
    with quanke.db.session() as s:
        return s.scalar(select(func.count(RatingAppeal.id)))


def test_an_upheld_appeal_takes_the_rating_out_of_the_statistics_visibly(any_quanke):
    world = seed_world(any_quanke)
    rating_id = _rated(world, level=1)
    assert _figures(world) == ({5: 0, 4: 0, 3: 0, 2: 0, 1: 1}, 0)
    appeal = _appeal(world, rating_id)
    assert appeal.status == "pending" and appeal.centre_id == world.centre.id
    decided = _decide(world, appeal.id, uphold=True)
    assert decided.status == "upheld" and decided.decided_by_id == world.centre_admin.id
    assert decided.rating.status == ratings.APPEAL_UPHELD
    assert _figures(world) == ({5: 0, 4: 0, 3: 0, 2: 0, 1: 0}, 1)
    with any_quanke.db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.object_type == "rating")
                                              .order_by(AuditEvent.id))]
        assert ("satisfaction_excluded", "appeal_upheld", 1) in list(
            stats.compute(s, today(), today()).rows())
    assert actions == ["rating_appealed", "rating_appeal_decided"]


def test_a_rejected_appeal_leaves_the_rating_counted(any_quanke):
    world = seed_world(any_quanke)
    rating_id = _rated(world, level=2)
    decided = _decide(world, _appeal(world, rating_id).id, uphold=False, reasons="评价与服务相符")
    assert decided.status == "rejected" and decided.decision_reasons == "评价与服务相符"
    assert decided.rating.status == ratings.COUNTED
    assert _figures(world) == ({5: 0, 4: 0, 3: 0, 2: 1, 1: 0}, 0)


def test_only_the_worker_the_rating_names_may_appeal(quanke):
    world = seed_world(quanke)
    rating_id = _rated(world)
    with pytest.raises(Forbidden) as err:
        _appeal(world, rating_id, by="acceptor")      # a colleague at the same centre
    assert err.value.code == "not_rated_staff"
    app = drive_to(world, "accepted")
    with quanke.db.session() as s:                    # rated online: it names nobody
        online = ratings.rate(quanke, s, s.get(Citizen, world.citizen.id), app.id, level=1).id
    with pytest.raises(Forbidden):
        _appeal(world, online)
    with pytest.raises(NotFound) as err:
        _appeal(world, 999)
    assert err.value.code == "rating_not_found" and _appeal_count(quanke) == 0


def test_one_appeal_per_rating(any_quanke):
    world = seed_world(any_quanke)
    rating_id = _rated(world)
    _appeal(world, rating_id)
    with pytest.raises(Conflict) as err:
        _appeal(world, rating_id, reasons="再申诉一次")
    assert err.value.code == "already_appealed" and _appeal_count(any_quanke) == 1


def test_a_good_rating_and_an_appeal_without_reasons_are_refused(quanke):
    world = seed_world(quanke)
    with pytest.raises(InvalidState) as err:
        _appeal(world, _rated(world, level=4))
    assert err.value.code == "not_appealable"
    with pytest.raises(InvalidInput) as err:
        _appeal(world, _rated(world, level=3), reasons="  ")
    assert err.value.code == "appeal_reasons_required" and _appeal_count(quanke) == 0


def test_the_decision_belongs_to_the_admin_of_the_ratings_centre(quanke):
    world = seed_world(quanke)
    appeal = _appeal(world, _rated(world))
    with quanke.db.session() as s:
        world.users["admin_b"] = create_user(s, username="t_admin_b", name="另一中心管理员", password=PASSWORD,
                                             roles=["centre_admin"], centre_code=world.other_centre.code)
    for who, error, code in (("sys_admin", Forbidden, "forbidden_role"), ("counter", Forbidden, "forbidden_role"),
                             ("admin_b", NotFound, "appeal_not_found")):
        with pytest.raises(error) as err:
            _decide(world, appeal.id, by=who)
        assert err.value.code == code
    with pytest.raises(InvalidInput) as err:
        _decide(world, appeal.id, reasons="")
    assert err.value.code == "decision_reasons_required"
    with quanke.db.session() as s:
        assert s.get(RatingAppeal, appeal.id).status == "pending"
        assert s.scalar(select(Rating.status)) == ratings.COUNTED
    _decide(world, appeal.id, uphold=False)
    with pytest.raises(InvalidState) as err:
        _decide(world, appeal.id, uphold=True)
    assert err.value.code == "appeal_already_decided"
    assert _figures(world)[1] == 0                    # the second decision did not take it out


def test_nobody_decides_their_own_appeal(quanke):
    world = seed_world(quanke)
    with quanke.db.session() as s:
        world.users["both"] = create_user(s, username="t_both", name="兼任管理员", password=PASSWORD,
                                          roles=["counter", "centre_admin"], centre_code=world.centre.code)
    appeal = _appeal(world, _rated(world, by="both"), by="both")
    with pytest.raises(Forbidden) as err:
        _decide(world, appeal.id, by="both")
    assert err.value.code == "own_appeal"


def test_the_queue_shows_only_the_admins_centre(quanke):
    world = seed_world(quanke)
    appeal = _appeal(world, _rated(world))
    with quanke.db.session() as s:
        admin = s.get(User, world.centre_admin.id)
        assert [a.id for a in ratings.appeal_queue(s, admin)] == [appeal.id]
        assert ratings.appeal_queue(s, admin, status="upheld") == []
        mine = ratings.ratings_of_staff(s, s.get(User, world.counter.id))
        assert [r.appeal.id for r in mine] == [appeal.id]


@pytest.mark.postgres
def test_a_double_submit_at_the_same_moment_files_one_appeal(pg_quanke):
    """Two requests at once (PostgreSQL, real concurrency): one appeal, one clear conflict."""
    world = seed_world(pg_quanke)
    rating_id = _rated(world)
    first = pg_quanke.db.sessionmaker()
    ratings.file_appeal(first, first.get(User, world.counter.id), rating_id, reasons="第一次提交")
    outcome = {}

    def second():
        try:
            _appeal(world, rating_id, reasons="同时的第二次提交")
            outcome["result"] = "filed"
        except Conflict as exc:
            outcome["result"] = exc.code

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1.0)          # blocks on the unique index while the first is open
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert outcome["result"] == "already_appealed" and _appeal_count(pg_quanke) == 1
