"""Termination (Art. 48): listed reasons only, a letter, and a credit record for fraud (Art. 41)."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.papers import issuance
from core.platform.clock import today
from core.credit import Commitment, CreditRecord, active_records
from core.platform.errors import Forbidden, InvalidInput, InvalidState
from plugins.legal_aid.domain import decisions, termination
from plugins.legal_aid.models import Assignment, Termination


def granted(la, **kw):
    app = la.accepted(**kw)
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    return app


def pdf_text(quanke, document_id) -> str:
    data = issuance.pdf_bytes(quanke, document_id)
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def test_termination_when_the_case_ended(la):
    app = granted(la)
    term = termination.terminate(la.quanke, la.w.approver, app.id, reason="case_ended",
                                 facts="对方撤回起诉，案件终止审理", found_on=today())
    assert term.credit_record_id is None
    with la.quanke.db.session() as s:
        assert [a.status for a in s.scalars(select(Assignment).where(Assignment.application_id == app.id))] == ["ended"]
    letter = la.documents(app.id, "la_termination")[0]
    text = pdf_text(la.quanke, letter.id)
    assert "终止法律援助决定书" in text and "案件终止审理或者已经被撤销" in text
    assert "第四十八条" in text and "第四十九条" in text
    with pytest.raises(InvalidState):   # aid no longer in force
        termination.terminate(la.quanke, la.w.approver, app.id, reason="own_lawyer", facts="x", found_on=today())


def test_fraud_breaks_the_integrity_commitment_and_creates_a_credit_record(la):
    app = granted(la, paper=("applicant_id", "case_materials", "integrity_commitment"))
    term = termination.terminate(la.quanke, la.w.approver, app.id, reason="fraud",
                                 facts="隐瞒经营收入每月两万元", found_on=today() - dt.timedelta(days=1))
    with la.quanke.db.session() as s:
        commitment = s.scalars(select(Commitment).where(Commitment.application_id == app.id)).one()
        record = s.get(CreditRecord, term.credit_record_id)
        assert commitment.status == "broken" and commitment.credit_record_id == record.id
        assert active_records(s, "person", app.applicant.id_number, today()) == [record]
    text = pdf_text(la.quanke, la.documents(app.id, "la_termination")[0].id)
    assert "第六十四条" in text and "信用记录" in text


def test_fraud_without_a_commitment_still_creates_a_credit_record(la):
    app = granted(la)
    term = termination.terminate(la.quanke, la.w.approver, app.id, reason="fraud",
                                 facts="伪造收入证明", found_on=today())
    with la.quanke.db.session() as s:
        record = s.get(CreditRecord, term.credit_record_id)
    assert record.ref == f"legal_aid-termination-{term.id}" and "第四十八条" in record.reason


def test_urgent_aid_can_be_terminated_before_the_decision(la):
    app = la.accepted()
    decisions.give_urgent_aid(la.quanke, la.w.approver, app.id, reason="preservation", note="需立即保全")
    termination.terminate(la.quanke, la.w.approver, app.id, reason="own_lawyer",
                          facts="受援人已自行委托律师", found_on=today())
    assert la.audit("la_aid_terminated", app.id)[0].data["aid"] == "urgent"


@pytest.mark.parametrize("kw,error", [
    ({"reason": "rude_to_lawyer"}, "invalid_termination_reason"),
    ({"facts": " "}, "facts_required"),
    ({"found_on": "tomorrow"}, "date_in_future"),
])
def test_bad_termination_input_saves_nothing(la, kw, error):
    app = granted(la)
    args = {"reason": "case_ended", "facts": "案件已撤诉", "found_on": today()}
    args.update(kw)
    if args["found_on"] == "tomorrow":
        args["found_on"] = today() + dt.timedelta(days=1)
    before = la.audit_count()
    with pytest.raises(InvalidInput) as err:
        termination.terminate(la.quanke, la.w.approver, app.id, **args)
    assert err.value.code == error
    assert la.count(Termination) == 0 and la.audit_count() == before
    with la.quanke.db.session() as s:
        assert s.scalars(select(Assignment.status).where(Assignment.application_id == app.id)).all() == ["active"]


def test_only_the_centre_terminates(la):
    app = granted(la)
    with pytest.raises(Forbidden):
        termination.terminate(la.quanke, la.w.counter, app.id, reason="case_ended", facts="x", found_on=today())


ITEMS = {"fraud": "（一）", "concealment": "（二）", "illegal_use": "（三）", "no_longer_eligible": "（四）",
         "case_ended": "（五）", "own_lawyer": "（六）", "applicant_request": "（七）", "other_statutory": "（八）"}


def test_the_termination_reasons_are_exactly_the_eight_items_of_art48():
    from plugins.legal_aid.domain.law import TERMINATION_REASONS
    assert set(TERMINATION_REASONS) == set(ITEMS)
    for code, item in ITEMS.items():
        assert f"第四十八条第一款第{item}项" in TERMINATION_REASONS[code]


@pytest.mark.parametrize("reason", list(ITEMS))
def test_every_art48_item_terminates_aid_with_a_letter_citing_it(la, reason):
    app = granted(la)
    basis = "《刑事诉讼法》第十六条" if reason == "other_statutory" else ""
    termination.terminate(la.quanke, la.w.approver, app.id, reason=reason, facts="经核实的事实", found_on=today(),
                          basis=basis)
    text = pdf_text(la.quanke, la.documents(app.id, "la_termination")[0].id)
    assert f"第四十八条第一款第{ITEMS[reason]}项" in text
    if basis:
        assert basis in text


def test_item8_needs_the_law_it_relies_on(la):
    app = granted(la)
    before = la.audit_count()
    with pytest.raises(InvalidInput) as err:
        termination.terminate(la.quanke, la.w.approver, app.id, reason="other_statutory", facts="依法终止",
                              found_on=today())
    assert err.value.code == "termination_basis_required" and "第（八）项" in err.value.message
    assert la.count(Termination) == 0 and la.audit_count() == before
