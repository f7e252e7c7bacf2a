"""Objections (Art. 49): upheld, reversed (correction carried out), and the ones not allowed."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.papers import issuance
from core.platform.clock import today
from core.platform.errors import Conflict, Forbidden, InvalidInput, InvalidState
from plugins.legal_aid.domain import decisions, objections, termination
from plugins.legal_aid.models import Assignment, Objection, Termination
from plugins.legal_aid.domain.status import case_status


def pdf_text(quanke, document_id) -> str:
    data = issuance.pdf_bytes(quanke, document_id)
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def refused(la):
    app = la.accepted(household="本人,测试citizen,9000\n配偶,王某某,9000")
    decisions.decide(la.quanke, la.w.approver, app.id, grant=False, reasons="收入高于标准")
    return app


def status_of(la, app_id) -> str:
    with la.quanke.db.session() as s:
        from core.platform.models import Application
        return case_status(s, s.get(Application, app_id))


def test_objection_to_a_refusal_upheld_tells_of_review_and_litigation(la):
    app = refused(la)
    obj = objections.lodge(la.quanke, la.w.citizen, app.id, grounds="家庭收入计算有误，配偶已失业",
                           received_on=today())
    assert obj.against == "refusal" and obj.status == "pending"
    assert obj.due_on >= today() + dt.timedelta(days=5)
    decided = objections.decide(la.quanke, la.bureau, obj.id, uphold=True,
                                reasons="配偶失业证明未能提供，原决定认定事实清楚")
    assert decided.status == "upheld"
    text = pdf_text(la.quanke, decided.document_id)
    assert "法律援助异议审查决定书" in text and "维持" in text
    assert "行政复议" in text and "行政诉讼" in text and "第四十九条第二款" in text
    event = la.audit("la_objection_decided", app.id)[0]
    assert event.data["outcome"] == "upheld" and event.data["on_time"] is True
    with pytest.raises(Conflict) as err:   # the next step is review or litigation, not a new objection
        objections.lodge(la.quanke, la.w.counter, app.id, grounds="再次异议", received_on=today())
    assert err.value.code == "objection_decided"
    assert status_of(la, app.id) == "refused"


def test_objection_to_a_refusal_reversed_the_centre_grants_aid(la):
    app = refused(la)
    obj = objections.lodge(la.quanke, la.w.counter, app.id, grounds="申请人属于进城务工人员讨薪，应免予核查",
                           received_on=today())
    objections.decide(la.quanke, la.bureau, obj.id, uphold=False,
                      reasons="申请人系进城务工人员请求支付劳动报酬，应当免予核查经济困难状况")
    text = pdf_text(la.quanke, la.documents(app.id, "la_objection")[0].id)
    assert "责令法律援助中心改正" in text
    assert status_of(la, app.id) == "refused"          # ordered, not yet carried out
    objections.carry_out(la.quanke, la.w.approver2, obj.id, note="撤销原决定")
    assert status_of(la, app.id) == "granted_on_correction"
    grant = la.documents(app.id, "la_grant")[0]
    text = pdf_text(la.quanke, grant.id)
    assert "给予法律援助决定书" in text and "责令改正" in text and "第四十九条" in text
    assert [d.status for d in la.documents(app.id, "la_refusal")] == ["superseded"]
    with la.quanke.db.session() as s:
        assignment = s.scalars(select(Assignment).where(Assignment.application_id == app.id)).one()
    assert assignment.kind == "correction" and assignment.due_on is not None
    with pytest.raises(InvalidState):
        objections.carry_out(la.quanke, la.w.approver2, obj.id)


def test_objection_after_a_grant_is_refused_and_nothing_is_saved(la):
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    before = la.audit_count()
    with pytest.raises(InvalidState) as err:
        objections.lodge(la.quanke, la.w.citizen, app.id, grounds="想换律师", received_on=today())
    assert err.value.code == "objection_not_allowed" and "第四十九条" in err.value.message
    assert la.count(Objection) == 0 and la.audit_count() == before


def test_objection_before_any_decision_and_with_bad_dates(la):
    app = la.accepted()
    with pytest.raises(InvalidState):
        objections.lodge(la.quanke, la.w.citizen, app.id, grounds="x", received_on=today())
    done = refused(la)
    with pytest.raises(InvalidInput) as err:
        objections.lodge(la.quanke, la.w.citizen, done.id, grounds="x",
                         received_on=today() + dt.timedelta(days=1))
    assert err.value.code == "date_in_future"
    with pytest.raises(InvalidInput):
        objections.lodge(la.quanke, la.w.citizen, done.id, grounds="x",
                         received_on=today() - dt.timedelta(days=3))   # before the refusal
    with pytest.raises(InvalidInput):
        objections.lodge(la.quanke, la.w.citizen, done.id, grounds="  ", received_on=today())
    assert la.count(Objection) == 0


def test_only_the_bureau_decides_and_not_the_person_who_decided(la):
    app = refused(la)
    obj = objections.lodge(la.quanke, la.w.citizen, app.id, grounds="不服", received_on=today())
    with pytest.raises(Forbidden):
        objections.decide(la.quanke, la.w.approver2, obj.id, uphold=True, reasons="x")   # the centre
    with pytest.raises(Forbidden):
        objections.lodge(la.quanke, la.w.other_citizen, app.id, grounds="x", received_on=today())
    # someone holding both roles may not review their own refusal
    from core.platform.models import Role, RoleGrant
    with la.quanke.db.session() as s:
        s.add(RoleGrant(user_id=la.w.approver.id, role=Role.APPROVER.value, department_code="justice_bureau"))
    la.w.refresh()
    with pytest.raises(Forbidden) as err:
        objections.decide(la.quanke, la.w.approver, obj.id, uphold=True, reasons="x")
    assert err.value.code == "segregation_of_duties"


def test_objection_to_a_termination_reversed_restores_aid(la):
    app = la.accepted()
    decisions.decide(la.quanke, la.w.approver, app.id, grant=True)
    term = termination.terminate(la.quanke, la.w.approver, app.id, reason="no_longer_eligible",
                                 facts="受援人已就业，月收入8000元", found_on=today())
    obj = objections.lodge(la.quanke, la.w.citizen, app.id, grounds="试用期三天即被辞退", received_on=today())
    assert obj.against == "termination" and obj.termination_id == term.id
    objections.decide(la.quanke, la.bureau2, obj.id, uphold=False, reasons="受援人已被辞退，经济状况未改变")
    objections.carry_out(la.quanke, la.w.approver2, obj.id)
    with la.quanke.db.session() as s:
        assert s.get(Termination, term.id).status == "revoked"
        rows = list(s.scalars(select(Assignment).where(Assignment.application_id == app.id).order_by(Assignment.id)))
    assert [r.status for r in rows] == ["ended", "active"]
    assert [d.status for d in la.documents(app.id, "la_termination")] == ["revoked"]
    assert status_of(la, app.id) == "granted"
