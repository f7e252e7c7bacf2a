"""The audit chain: every transition leaves an event; SQL tampering is found and named."""
import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from core.platform import audit
from core.platform.audit import AuditEvent
from core.ops.cli import main
from core.testing import drive_to, seed_world


def _verify_cli(quanke):
    env = {"DATABASE_URL": quanke.db.url, "QUANKE_INSTANCE_PATH": quanke.config["INSTANCE_PATH"]}
    return CliRunner().invoke(main, ["audit", "verify"], env=env)


def _events(quanke):
    with quanke.db.session() as s:
        return s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()


def test_each_transition_is_audited_in_order(quanke):
    world = seed_world(quanke)
    app = drive_to(world, "approved")
    actions = [e.action for e in _events(quanke) if e.application_id == app.id]
    assert actions == ["file", "accept", "claim", "approve"]
    accept = [e for e in _events(quanke) if e.action == "accept"][0]
    assert accept.actor == f"user:{world.acceptor.id}"
    assert accept.data["from"] == "submitted" and accept.data["to"] == "accepted"
    assert accept.subject == app.applicant.id_number


def test_staff_view_of_personal_data_is_audited(quanke):
    world = seed_world(quanke)
    with quanke.db.session() as s:
        audit.record_view(s, actor=f"user:{world.approver.id}", object_type="applicant",
                          object_id=1, subject="320102199001010011", fields=["id_number", "phone"],
                          reason="审查申请")
    last = _events(quanke)[-1]
    assert last.action == "view_personal_data" and last.data["fields"] == ["id_number", "phone"]


@pytest.mark.parametrize("tamper, problem", [
    ("UPDATE audit_events SET data = '{\"from\": \"x\"}' WHERE seq = {seq}", "记录被修改"),
    ("DELETE FROM audit_events WHERE seq = {seq}", "有记录被删除"),
    ("UPDATE audit_events SET actor = 'user:999' WHERE seq = {seq}", "记录被修改"),
])
def test_verify_names_the_first_tampered_event(any_quanke, tamper, problem):
    quanke = any_quanke
    world = seed_world(quanke)
    drive_to(world, "in_review")
    events = _events(quanke)
    victim = events[len(events) // 2]
    ok = _verify_cli(quanke)
    assert ok.exit_code == 0, ok.output
    assert f"已校验 {len(events)} 条事件" in ok.output
    with quanke.db.engine.begin() as conn:
        conn.execute(text(tamper.replace("{seq}", str(victim.seq))))
    bad = _verify_cli(quanke)
    assert bad.exit_code == 1
    assert f"seq={victim.seq}" in bad.output and problem in bad.output


def test_deleting_the_newest_event_is_found_too(any_quanke):
    quanke = any_quanke
    world = seed_world(quanke)
    drive_to(world, "accepted")
    last = _events(quanke)[-1]
    with quanke.db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM audit_events WHERE seq = {last.seq}"))
    with quanke.db.session() as s:
        result = audit.verify(s)
    assert not result.ok and "最新事件被删除" in result.problem
