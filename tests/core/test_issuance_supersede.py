"""core.papers.issuance.supersede: a document replaced by another application's document."""
import pytest
from sqlalchemy import select

from core.platform import audit
from core.papers import issuance
from core.platform.audit import AuditEvent
from core.platform.errors import InvalidInput, InvalidState
from core.platform.models import Document
from core.testing import drive_to


def _certificate(session, app_id):
    return session.scalar(select(Document).where(Document.application_id == app_id,
                                                 Document.kind == "certificate"))


def test_supersede_marks_the_old_document_names_the_new_one_and_is_audited(world):
    quanke = world.quanke
    first, second = drive_to(world, "issued"), drive_to(world, "issued")
    with quanke.db.session() as s:
        old, new = _certificate(s, first.id), _certificate(s, second.id)
        issuance.supersede(s, old, new, reason="变更登记，换发新证", actor="system:test")
        old_code, new_number = old.verification_code, new.number
    with quanke.db.session() as s:
        seen = issuance.lookup(s, old_code)
        assert seen.status == "superseded"
        assert seen.summary["replaced_by_number"] == new_number
        assert seen.summary["replaced_reason"] == "变更登记，换发新证"
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "supersede_document"))
        assert event.actor == "system:test" and event.application_id == first.id
        assert event.data["by"] == new_number and event.data["reason"] == "变更登记，换发新证"
        assert audit.verify(s).ok
        assert _certificate(s, second.id).status == "valid"


def test_supersede_refuses_twice_by_itself_and_without_a_reason(world):
    quanke = world.quanke
    first, second = drive_to(world, "issued"), drive_to(world, "issued")
    with quanke.db.session() as s:
        old, new = _certificate(s, first.id), _certificate(s, second.id)
        with pytest.raises(InvalidInput):
            issuance.supersede(s, old, new, reason="  ")
        with pytest.raises(InvalidState):
            issuance.supersede(s, old, old, reason="自己替换自己")
        issuance.supersede(s, old, new, reason="换发")
        with pytest.raises(InvalidState) as again:
            issuance.supersede(s, old, new, reason="换发")
        assert "已被替换" in again.value.message
        with pytest.raises(InvalidState):                 # a superseded document replaces nothing
            issuance.supersede(s, new, old, reason="倒换")
