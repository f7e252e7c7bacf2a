"""Each statute's clock, table-driven: (receipt, notice, acceptance, pause, extension) → the due
date, the deemed outcome and the article cited, through the real workflow on SQLite and
PostgreSQL. The rules come from the services' own declarations; the applications are filed
under the sample service (whose roles the test world has) carrying that service's clock, as
every application carries the snapshot taken at receipt.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from core import acceptance, approval
from core.acceptance.deemed import deem_accepted_unnoticed
from core.approval import rules
from core.deadlines import due_date_explanation
from core.platform.audit import AuditEvent
from core.platform.errors import InvalidInput, InvalidState
from core.platform.models import Application, Citizen, Decision, OutboxMessage
from core.testing import seed_world

BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), BEIJING)


@dataclass
class Row:
    service: str               # whose declared clock the application runs on
    received: str
    accepted: str | None       # None: nobody acts (deemed acceptance?)
    extension: int | None      # days a lead asks for; None = no request
    due: str | None            # the expected due date
    outcome: str               # "" / "accepted" (视为受理)
    cites: str                 # in the explanation, the article that set the limit
    extension_error: str | None = None
    sweep_day: str | None = None


ROWS = [
    # 市场主体登记管理条例第十九条: 3 working days from acceptance, +3 with the head's approval
    Row("business_license.individual", "2026-12-03", "2026-12-03", 3, "2026-12-11", "",
        "《市场主体登记管理条例》第十九条"),
    Row("business_license.individual", "2026-12-03", "2026-12-03", 4, "2026-12-08", "",
        "《市场主体登记管理条例》第十九条", extension_error="invalid_extension"),
    # 行政许可法第四十二条 (a promised 1 working day) with its 10-day extension
    Row("business_license.food_permit", "2026-12-03", "2026-12-04", 10, "2026-12-21", "",
        "《中华人民共和国行政许可法》第四十二条"),
    # 行政许可法第三十二条: nobody accepted or noticed within 5 working days → accepted from receipt
    Row("sample.permit", "2026-12-03", None, None, "2026-12-10", "accepted",
        "《中华人民共和国行政许可法》第四十二条", sweep_day="2026-12-11"),
    # 法律援助法第四十三条: 7 days from *receipt*, no extension
    Row("legal_aid.application", "2026-12-03", "2026-12-04", 2, "2026-12-10", "",
        "《中华人民共和国法律援助法》第四十三条", extension_error="extension_not_allowed"),
    # across 元旦 2027 (provisional year): received Thu 31 Dec 2026, 7 days → Thu 7 Jan 2027
    Row("legal_aid.application", "2026-12-31", "2026-12-31", None, "2027-01-07", "",
        "《中华人民共和国法律援助法》第四十三条"),
    # 档案查询: no statute sets the limit; the centre's promise, no extension, no deemed acceptance
    Row("archive_query.query", "2026-12-03", "2026-12-04", 1, "2026-12-11", "",
        "未规定办理时限", extension_error="extension_not_allowed"),
    Row("archive_query.query", "2026-12-03", None, None, None, "", "", sweep_day="2027-01-04"),
]


def _file(world, clock, received: dt.datetime) -> Application:
    quanke = world.quanke
    service = quanke.service("sample.permit")
    with quanke.db.session() as s:
        applicant = s.get(Citizen, world.citizen.id).applicant
        form = service.example_for(applicant.name, applicant.id_number)
    app = acceptance.file_application(
        quanke, world.users["counter"], service_code="sample.permit",
        applicant_id=world.citizen.applicant_id, form_data=form, paper=["id_proof"],
        consent=True, consent_text="当面同意", at=received)
    with quanke.db.session() as s:
        s.get(Application, app.id).clock_rule = clock.to_record()
    return app


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.service}-{r.received}-{r.accepted}-{r.extension}")
def test_statute_table(any_quanke, row: Row):
    world = seed_world(any_quanke)
    quanke = world.quanke
    clock = quanke.service(row.service).legal_clock
    app = _file(world, clock, at(row.received))
    if row.accepted:
        acceptance.accept(quanke, world.acceptor, app.id, warn_reason="已核实", at=at(row.accepted))
    if row.sweep_day:
        deem_accepted_unnoticed(quanke, day=dt.date.fromisoformat(row.sweep_day))
    if row.extension is not None:
        if row.extension_error:
            with pytest.raises((InvalidInput, InvalidState)) as caught:
                approval.extend(quanke, world.lead, app.id, days=row.extension, reason="情形复杂")
            assert caught.value.code == row.extension_error
            assert "依法" in caught.value.message or "（" in caught.value.message
        else:
            approval.extend(quanke, world.lead, app.id, days=row.extension, reason="情形复杂")
    with quanke.db.session() as s:
        stored = s.get(Application, app.id)
        assert stored.due_date == (dt.date.fromisoformat(row.due) if row.due else None)
        assert stored.deemed == row.outcome
        if row.due:
            explanation = due_date_explanation(quanke, s, stored)
            assert explanation.due_date == stored.due_date
            assert any(row.cites in line for line in explanation.lines()), explanation.lines()
        else:
            assert stored.state == "submitted"          # statute silent: nothing is deemed


def test_deemed_acceptance_is_audited_dated_from_receipt_and_told(any_quanke):
    world = seed_world(any_quanke)
    quanke = world.quanke
    app = _file(world, quanke.service("sample.permit").legal_clock, at("2026-12-03"))
    assert deem_accepted_unnoticed(quanke, day=dt.date(2026, 12, 10)) == 0     # window's last day
    assert deem_accepted_unnoticed(quanke, day=dt.date(2026, 12, 11)) == 1
    assert deem_accepted_unnoticed(quanke, day=dt.date(2026, 12, 11)) == 0     # once only
    with quanke.db.session() as s:
        stored = s.get(Application, app.id)
        assert stored.state == "accepted" and stored.deemed == "accepted"
        assert stored.receipt_no.startswith("T01-20261203-")
        event = s.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                   AuditEvent.action == "deem_accept")).one()
        sent = s.scalars(select(OutboxMessage).where(OutboxMessage.application_id == app.id,
                                                     OutboxMessage.event == "deemed_accepted")).one()
    assert event.actor == "system" and "第三十二条" in event.data["basis"]
    assert "视为受理" in sent.body and "2026年12月03日" in sent.body


def test_correction_notice_after_the_window_is_refused_and_changes_nothing(any_quanke):
    world = seed_world(any_quanke)
    quanke = world.quanke
    app = _file(world, quanke.service("sample.permit").legal_clock, at("2026-12-03"))
    with pytest.raises(InvalidState) as caught:
        acceptance.return_for_correction(quanke, world.acceptor, app.id, note="缺少照片",
                                         at=at("2026-12-11"))
    assert caught.value.code == "notice_window_passed"
    assert "视为" in caught.value.message and "第三十二条" in caught.value.message
    with quanke.db.session() as s:
        assert s.get(Application, app.id).state == "submitted"
        assert not s.scalars(select(Decision).where(Decision.application_id == app.id)).all()
    # on the window's last day the notice is still lawful
    returned = acceptance.return_for_correction(quanke, world.acceptor, app.id, note="缺少照片",
                                                at=at("2026-12-10"))
    assert returned.state == "correction_requested"


def test_no_pause_where_the_statute_provides_none(any_quanke):
    world = seed_world(any_quanke)
    quanke = world.quanke
    app = _file(world, quanke.service("legal_aid.application").legal_clock, at("2026-12-03"))
    acceptance.accept(quanke, world.acceptor, app.id, warn_reason="已核实", at=at("2026-12-03"))
    with pytest.raises(InvalidState) as caught:
        approval.pause(quanke, world.lead, app.id, reason="等待材料")
    assert caught.value.code == "pause_not_allowed"
    with quanke.db.session() as s:
        assert not s.get(Application, app.id).paused


def test_legal_aid_unanswered_notice_withdraws_licensing_does_not(any_quanke):
    world = seed_world(any_quanke)
    quanke = world.quanke
    aid = _file(world, quanke.service("legal_aid.application").legal_clock, at("2026-12-03"))
    licence = _file(world, quanke.service("sample.permit").legal_clock, at("2026-12-03"))
    for app in (aid, licence):
        acceptance.return_for_correction(quanke, world.acceptor, app.id, note="补充收入证明",
                                         at=at("2026-12-03"))
    with quanke.db.session() as s:
        due = s.scalars(select(Decision).where(Decision.application_id == aid.id)).one().correction_due
    assert rules.withdraw_expired_corrections(quanke, day=due + dt.timedelta(days=1)) == 1
    with quanke.db.session() as s:
        assert s.get(Application, aid.id).state == "withdrawn"
        assert s.get(Application, licence.id).state == "correction_requested"


def test_receipt_cites_the_article_that_set_the_limit(any_quanke):
    import io

    from pypdf import PdfReader

    from core.papers import issuance
    from core.platform.models import Document
    world = seed_world(any_quanke)
    quanke = world.quanke
    app = _file(world, quanke.service("legal_aid.application").legal_clock, at("2026-12-03"))
    acceptance.accept(quanke, world.acceptor, app.id, warn_reason="已核实", at=at("2026-12-04"))
    with quanke.db.session() as s:
        doc_id = s.scalars(select(Document.id).where(Document.application_id == app.id,
                                                     Document.kind == "receipt")).one()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(issuance.pdf_bytes(quanke, doc_id))).pages)
    flat = "".join(text.split())
    assert "收到申请日期" in flat and "法律援助法》第四十三条" in flat
