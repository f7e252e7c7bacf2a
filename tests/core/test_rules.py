import datetime as dt

import pytest
from sqlalchemy import select

from core.approval import rules
from core.contract.legal_clock import Citation, LegalClock
from core import acceptance, approval
from core.platform import actors
from core.platform.audit import AuditEvent
from core.platform.errors import InvalidState
from core.platform.models import Application, Decision
from core.testing import drive_to


def test_rule_approval_goes_through_the_workflow_and_is_audited(world):
    quanke = world.quanke
    app = drive_to(world, "accepted")
    done = rules.decide_by_rule(quanke, app.id, approve=True, rule="本人查询自动办结",
                                reasons="本人查询本人档案，身份已核验")
    assert done.state == "approved" and done.decided_by_id is None
    with quanke.db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id)
                          .order_by(AuditEvent.seq.desc())).first()
        decision = s.scalars(select(Decision).where(Decision.application_id == app.id)).one()
    assert event.actor == "system" and event.data["rule"] == "本人查询自动办结"
    assert "依据规则：本人查询自动办结" in decision.reasons
    # once decided by rule, the normal path continues: the system issues the result
    assert approval.issue(quanke, actors.SYSTEM, app.id).state == "issued"


def test_rule_cannot_take_a_claimed_application(world):
    app = drive_to(world, "in_review")
    with pytest.raises(InvalidState):
        rules.decide_by_rule(world.quanke, app.id, approve=True, rule="r", reasons="x")


WITHDRAWING = LegalClock(deemed_withdrawn=True, withdrawal_basis=Citation("中华人民共和国法律援助法", "第四十三条"))


def _withdrawing(quanke, app_id):
    with quanke.db.session() as s:
        s.get(Application, app_id).clock_rule = WITHDRAWING.to_record()


def test_unanswered_correction_notice_is_deemed_withdrawn_where_the_statute_says_so(world):
    quanke = world.quanke
    late = drive_to(world, "correction_requested")
    answered = drive_to(world, "correction_requested")
    licensing = drive_to(world, "correction_requested")    # 行政许可法: silence withdraws nothing
    for app in (late, answered):
        _withdrawing(quanke, app.id)
    acceptance.resubmit(quanke, world.citizen, answered.id)
    with quanke.db.session() as s:
        due = s.scalars(select(Decision).where(Decision.application_id == late.id)).one().correction_due
    assert rules.withdraw_expired_corrections(quanke, day=due) == 0          # not yet past
    assert rules.withdraw_expired_corrections(quanke, day=due + dt.timedelta(days=1)) == 1
    with quanke.db.session() as s:
        withdrawn = s.get(Application, late.id)
        assert withdrawn.state == "withdrawn" and withdrawn.deemed == "withdrawn"
        assert s.get(Application, answered.id).state == "submitted"
        assert s.get(Application, licensing.id).state == "correction_requested"
        event = s.scalars(select(AuditEvent).where(AuditEvent.application_id == late.id)
                          .order_by(AuditEvent.seq.desc())).first()
    assert "法律援助法》第四十三条" in event.data["basis"]
