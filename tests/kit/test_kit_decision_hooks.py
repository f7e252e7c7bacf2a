"""A plugin's work inside the decision's own transaction (``before_decision_commit``, issue 20
§7): a licence number allocated on approval is saved with the approval or not at all; and the
decision letters ask ``certificate_data`` too (``document_kind``), for their ``letter_fields``."""
import io
import shutil
import types

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core import hookimpl
from core.api import (
    SYSTEM,
    AuditEvent,
    InvalidState,
    QuankeError,
    approve,
    decide_by_rule,
    document_pdf,
    documents_for,
    issue,
    record_audit,
    reject,
)
from core.testing import drive_to, runtime, seed_world, snapshot

ALLOCATED = "kit_licence_allocated"


def _licence_no(session, app_id) -> str | None:
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == ALLOCATED,
                                                    AuditEvent.application_id == app_id))
    return event.data["licence_no"] if event else None


def licence_plugin(seen, *, fail=None):
    """Allocates 许可证编号 KIT-0001, KIT-0002 … when a sample permit is approved."""
    def before_decision_commit(application, action, session):
        seen.append((action, application.state))
        if application.service_code != "sample.permit" or action != "approve":
            return None
        if fail is not None:
            raise fail
        used = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == ALLOCATED))
        number = f"KIT-{used + 1:04d}"
        record_audit(session, actor="system", action=ALLOCATED, object_type="kit_licence",
                     object_id=number, application_id=application.id, data={"licence_no": number})
        return {"licence_no": number}

    def certificate_data(application, session, document_kind):
        number = _licence_no(session, application.id)
        if document_kind.startswith("decision_"):
            return {"letter_fields": [("许可证编号", number)]} if number else None
        return {"licence_no": number}

    def old_style_certificate_data(application, session):   # written before decision letters
        if application.state == "rejected":
            raise RuntimeError("不应为决定书调用")
        return None
    plugin = types.ModuleType("kit_licence")
    plugin.before_decision_commit = hookimpl(before_decision_commit)
    plugin.certificate_data = hookimpl(certificate_data)
    old = types.ModuleType("kit_old_certdata")
    old.certificate_data = hookimpl(old_style_certificate_data)
    return [plugin, old]


@pytest.fixture
def kit(sqlite_template, tmp_path):
    made = []

    def make(**options):
        seen = []
        shutil.copy(sqlite_template, tmp_path / f"d{len(made)}.db")
        quanke = runtime(f"sqlite:///{tmp_path}/d{len(made)}.db", tmp_path,
                         extra_plugins=licence_plugin(seen, **options))
        made.append(quanke)
        return seed_world(quanke), seen
    yield make
    for quanke in made:
        quanke.close()


def _text(quanke, app_id, kind) -> str:
    with quanke.db.session() as s:
        [doc] = [d for d in documents_for(s, app_id) if d.kind == kind]
        doc_id = doc.id
    reader = PdfReader(io.BytesIO(document_pdf(quanke, doc_id)))
    return "".join(page.extract_text() or "" for page in reader.pages).replace("\n", "")


def test_the_number_is_allocated_in_the_approval_and_printed_on_the_letter(kit):
    world, seen = kit()
    quanke = world.quanke
    app = drive_to(world, "in_review")
    approve(quanke, world.approver, app.id)
    with quanke.db.session() as s:
        assert _licence_no(s, app.id) == "KIT-0001"
        event = s.scalar(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                  AuditEvent.action == "approve"))
        assert event.data["plugins"]["kit_licence"] == {"licence_no": "KIT-0001"}
    assert seen[-1] == ("approve", "approved")   # inside the transaction, after the change
    assert "许可证编号" in _text(quanke, app.id, "decision_approve")
    assert "KIT-0001" in _text(quanke, app.id, "decision_approve")
    issue(quanke, world.approver, app.id)
    assert seen[-1] == ("issue", "issued")
    other = drive_to(world, "approved")
    with quanke.db.session() as s:
        assert _licence_no(s, other.id) == "KIT-0002"


def test_a_refusing_plugin_stops_the_approval_and_nothing_is_saved(kit):
    world, _ = kit(fail=InvalidState("许可证号段已用完，请联系市场监管局", code="kit_numbers_exhausted"))
    app = drive_to(world, "in_review")
    before = snapshot(world.quanke, app.id)
    with pytest.raises(InvalidState, match="许可证号段已用完"):
        approve(world.quanke, world.approver, app.id)
    assert snapshot(world.quanke, app.id) == before   # state, decision, document, audit: unchanged


def test_a_broken_plugin_is_named_and_nothing_is_saved(kit):
    world, _ = kit(fail=RuntimeError("connection reset"))
    app = drive_to(world, "in_review")
    before = snapshot(world.quanke, app.id)
    with pytest.raises(QuankeError) as refused:
        approve(world.quanke, world.approver, app.id)
    assert refused.value.code == "plugin_failed" and "kit_licence" in refused.value.message
    assert "未保存" in refused.value.message
    assert snapshot(world.quanke, app.id) == before


def test_rejections_and_rule_decisions_are_seen_too_and_old_certificate_data_is_left_alone(kit):
    world, seen = kit()
    quanke = world.quanke
    app = drive_to(world, "in_review")
    reject(quanke, world.approver, app.id, reasons="不符合条件")
    assert seen[-1] == ("reject", "rejected")
    letter = _text(quanke, app.id, "decision_reject")   # the old-style hook is not asked
    assert "不符合条件" in letter and "许可证编号" not in letter
    ruled = drive_to(world, "accepted")
    decide_by_rule(quanke, ruled.id, approve=True, rule="测试规则", reasons="符合规则")
    assert seen[-1] == ("approve", "approved")
    issue(quanke, SYSTEM, ruled.id)
    with quanke.db.session() as s:
        assert _licence_no(s, ruled.id) == "KIT-0001"
