import datetime as dt

import pytest
from sqlalchemy import select

from core.approval import rules
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


def test_unanswered_correction_notice_is_deemed_withdrawn(world):
    quanke = world.quanke
    late = drive_to(world, "correction_requested")
    answered = drive_to(world, "correction_requested")
    acceptance.resubmit(quanke, world.citizen, answered.id)
    with quanke.db.session() as s:
        due = s.scalars(select(Decision).where(Decision.application_id == late.id)).one().correction_due
    assert rules.withdraw_expired_corrections(quanke, day=due) == 0          # not yet past
    assert rules.withdraw_expired_corrections(quanke, day=due + dt.timedelta(days=1)) == 1
    with quanke.db.session() as s:
        assert s.get(Application, late.id).state == "withdrawn"
        assert s.get(Application, answered.id).state == "submitted"
