"""The 档案查询 service: who may query whose records, the bureau's automatic rule, the result."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.approval import rules
from core import acceptance, approval
from core.platform.audit import AuditEvent
from core.platform.errors import Forbidden, InvalidInput
from core.acceptance.uploads import Upload
from core.platform.models import Application, Decision, State
from core.contract.services import CertificateContext
from core.testing import snapshot
from plugins.archive_query.domain import autoapproval, settings
from plugins.archive_query.documents import CERTIFICATE
from plugins.archive_query.models import AccessLog
from plugins.archive_query.domain.results import ResultNotReady, certificate_data
from tests.plugins.archive_query.aq_helpers import SERVICE, at_counter, flat, form, pdf_text, result, state, switch

from core.testing import TINY_PNG as PNG  # a real image: uploads are re-encoded


def render_text(quanke, app_id) -> str:
    """Render the result document the way the core does, with this plugin's hook data."""
    with quanke.db.session() as session:
        app = session.get(Application, app_id)
        extra = certificate_data(app, session) or {}
        ctx = CertificateContext(
            application_no=app.number, service_code=app.service_code, service_name="档案查询（e站通）",
            applicant_name=app.applicant.name, applicant_id_masked="3201**********0011",
            form_data=dict(app.form_data), department_code="archives", department_name="区档案馆",
            centre_name="测试中心", decided_at=app.decided_at, verification_code="TESTCODE",
            verification_url="http://127.0.0.1/verify/TESTCODE", extra=extra)
    return pdf_text(bytes(CERTIFICATE(ctx)))


def looks(quanke, id_number):
    with quanke.db.session() as session:
        return [(r.actor, r.kind, r.reference, r.application_id) for r in session.scalars(
            select(AccessLog).where(AccessLog.subject_id_number_index == id_number).order_by(AccessLog.id))]


# -- self queries -------------------------------------------------------------------------------

def test_self_query_at_the_counter_is_approved_by_the_rule_and_names_both_spouses(
        quanke, aq, people, archive):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    archive.person("employment", me.id_number, me.name)  # another category: not on this result
    switch(quanke, aq, True)
    app = at_counter(aq, me.applicant_id, form(me))
    acceptance.accept(quanke, aq.counter, app.id)
    assert state(quanke, app.id) == State.ISSUED.value
    with quanke.db.session() as session:
        done = session.get(Application, app.id)
        assert done.decided_by_id is None and done.claimed_by_id is None
        decision = session.scalar(select(Decision).where(Decision.application_id == app.id,
                                                         Decision.kind == "approve"))
        assert autoapproval.RULE in decision.reasons
    stored = result(quanke, app.id)
    assert stored.taken_by == "system" and len(stored.records) == 1
    # A marriage certificate must name both spouses as the record has them (see
    # test_archive_query_marriage_certificate.py for the masked lists and verification page).
    persons = stored.records[0]["persons"]
    assert persons == [
        {"role_label": "男方", "name": me.name, "id_number": me.id_number, "is_subject": True},
        {"role_label": "女方", "name": spouse.name, "id_number": spouse.id_number, "is_subject": False}]
    assert "remarks" not in str(stored.records) and "馆内备注不外传" not in str(stored.records)
    text = render_text(quanke, app.id)
    assert "档案查询结果证明" in text and "有相关档案记录1条" in text
    assert f"女方{spouse.name}（{spouse.id_number}）" in text
    assert "馆内备注" not in text
    # The look is logged for both spouses: the system, for this application.
    assert looks(quanke, spouse.id_number) == [("system", "result", "T001/00001", app.id)]


def test_remote_self_query_needs_face_and_sms_then_the_rule_approves(quanke, aq, people, archive):
    me = people.citizen
    archive.person("veteran", me.id_number, me.name)
    switch(quanke, aq, True)
    app = acceptance.file_application(quanke, aq.citizen, service_code=SERVICE,
                                    applicant_id=me.applicant_id, form_data=form(me, "veteran"),
                                    uploads=[Upload("applicant_id", "id.png", PNG)])
    assert app.state == State.DRAFT.value
    for step in ("face", "sms"):
        acceptance.record_identity_step(quanke, aq.citizen, app.id, step, evidence={"score": 0.93})
    acceptance.submit_application(quanke, aq.citizen, app.id)
    acceptance.accept(quanke, aq.counter_b, app.id)  # any authorised centre accepts it
    assert state(quanke, app.id) == State.ISSUED.value
    assert result(quanke, app.id).records[0]["category"] == "veteran"
    assert "退伍军人档案" in render_text(quanke, app.id)


def test_with_the_switch_off_a_self_query_waits_for_an_approver_who_is_logged(
        quanke, aq, people, archive):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    app = at_counter(aq, me.applicant_id, form(me))
    acceptance.accept(quanke, aq.counter, app.id)
    assert state(quanke, app.id) == State.ACCEPTED.value
    assert autoapproval.auto_decide(quanke, application_id=app.id) == "switch_off"
    approval.claim(quanke, aq.approver, app.id)
    approval.approve(quanke, aq.approver, app.id)
    stored = result(quanke, app.id)
    assert stored.taken_by == f"user:{aq.approver.id}"
    approval.issue(quanke, aq.approver, app.id)
    assert looks(quanke, me.id_number) == [(f"user:{aq.approver.id}", "result", "T001/00001", app.id)]


def test_the_sweep_decides_what_waited_for_the_switch_and_resumes_a_half_done_decision(
        quanke, aq, people, archive):
    me = people.citizen
    archive.person("employment", me.id_number, me.name)
    waiting = at_counter(aq, me.applicant_id, form(me, "employment"))
    acceptance.accept(quanke, aq.counter, waiting.id)  # switch off: left for an approver …
    half_done = at_counter(aq, me.applicant_id, form(me, "employment"))
    acceptance.accept(quanke, aq.counter, half_done.id)
    # … and a job that stopped after the rule's decision, before issuing.
    rules.decide_by_rule(quanke, half_done.id, approve=True, rule=autoapproval.RULE,
                         reasons=autoapproval.REASON)
    assert state(quanke, waiting.id) == State.ACCEPTED.value
    assert state(quanke, half_done.id) == State.APPROVED.value
    switch(quanke, aq, True)  # the bureau turns the rule on later
    assert autoapproval.sweep(quanke) == 2
    assert state(quanke, waiting.id) == State.ISSUED.value
    assert state(quanke, half_done.id) == State.ISSUED.value
    assert autoapproval.auto_decide(quanke, application_id=waiting.id) == "nothing_to_do"
    assert autoapproval.sweep(quanke) == 0
    with quanke.db.session() as session:
        for app_id in (waiting.id, half_done.id):  # each result looked up (and logged) once
            assert session.scalar(select(func.count(AccessLog.id))
                                  .where(AccessLog.application_id == app_id)) == 1


# -- someone else's records ---------------------------------------------------------------------

def test_agent_with_power_of_attorney_goes_to_the_approver_even_with_the_switch_on(
        quanke, aq, people, archive):
    principal, agent = people.citizen, people.other_citizen
    archive.person("appointment", principal.id_number, principal.name)
    switch(quanke, aq, True)
    app = at_counter(aq, agent.applicant_id, form(principal, "appointment", basis="attorney",
                                                  purpose="受托办理退休待遇核定"),
                     paper=("applicant_id", "power_of_attorney"))
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, aq.counter, app.id)
    assert err.value.code == "warn_reason_required"
    acceptance.accept(quanke, aq.counter, app.id, warn_reason="已核对经公证的委托书原件")
    assert state(quanke, app.id) == State.ACCEPTED.value  # not the rule's to decide
    approval.claim(quanke, aq.approver, app.id)
    approval.approve(quanke, aq.approver, app.id, reasons="委托书经公证，依据充分")
    approval.issue(quanke, aq.approver, app.id)
    stored = result(quanke, app.id)
    assert stored.basis == "attorney" and stored.records[0]["persons"][0]["name"] == principal.name
    text = render_text(quanke, app.id)
    assert "受托查询" in text and "人事任免档案" in text and "任免类别：任命" in text
    assert looks(quanke, principal.id_number) == [(f"user:{aq.approver.id}", "result",
                                                   "T001/00001", app.id)]


def test_query_about_someone_else_without_a_basis_is_refused_and_changes_nothing(
        quanke, aq, people, archive):
    me, other = people.citizen, people.other_citizen
    archive.person("employment", other.id_number, other.name)
    app = at_counter(aq, me.applicant_id, form(other, "employment", basis="self"))
    before = snapshot(quanke, app.id)
    with pytest.raises(Forbidden) as err:
        acceptance.accept(quanke, aq.counter, app.id, warn_reason="试图受理")
    assert err.value.code == "checks_blocked"
    assert "档案当事人必须是申请人本人" in err.value.message
    assert snapshot(quanke, app.id) == before
    # A basis without its material: a missing material (one-time notice), not acceptable.
    no_letter = at_counter(aq, me.applicant_id, form(other, "employment", basis="attorney"))
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, aq.counter, no_letter.id, warn_reason="试图受理")
    assert err.value.code == "materials_missing"
    assert err.value.details["missing"] == ["power_of_attorney"]
    assert "缺少经公证的委托书" in err.value.message
    half = at_counter(aq, me.applicant_id, {**form(other, "employment", basis="deceased_relative"),
                                            "relation": "child"},
                      paper=("applicant_id", "death_certificate"))
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, aq.counter, half.id, warn_reason="试图受理")
    assert err.value.details["missing"] == ["kinship_proof"]
    assert "亲属关系证明" in err.value.message and "死亡证明" not in err.value.message
    assert looks(quanke, other.id_number) == []  # nobody saw anything
    acceptance.refuse(quanke, aq.counter, app.id, reasons="查询他人档案须提供合法依据")
    assert state(quanke, app.id) == State.NOT_ACCEPTED.value


def test_a_category_that_does_not_exist_is_a_clear_form_error(quanke, aq, people):
    with pytest.raises(InvalidInput) as err:
        at_counter(aq, people.citizen.applicant_id, form(people.citizen, category="household"))
    assert err.value.code == "invalid_form"
    assert "档案类别不存在" in err.value.details["fields"]["category"][0]
    with pytest.raises(InvalidInput) as err:
        at_counter(aq, people.citizen.applicant_id,
                   {**form(people.citizen), "subject_id_number": "320102199001011230"})
    assert "校验位" in err.value.details["fields"]["subject_id_number"][0]


# -- the result documents -----------------------------------------------------------------------

def test_no_record_certificate(quanke, aq, people, archive):
    me = people.citizen
    archive.person("employment", me.id_number, me.name)  # a record, but not a veteran record
    switch(quanke, aq, True)
    app = at_counter(aq, me.applicant_id, form(me, "veteran"))
    acceptance.accept(quanke, aq.counter, app.id)
    assert state(quanke, app.id) == State.ISSUED.value
    assert result(quanke, app.id).records == []
    text = render_text(quanke, app.id)
    assert "无档案记录证明" in text and "档案查询结果证明" not in text
    assert "未发现档案当事人" in text and me.name in text
    assert [(a, k, ref) for a, k, ref, _ in looks(quanke, me.id_number)] == [("system", "search", "")]


def test_certificate_data_never_pretends_there_is_no_record(quanke, aq, people, archive):
    me = people.citizen
    archive.person("employment", me.id_number, me.name)
    app = at_counter(aq, me.applicant_id, form(me, "employment"))
    acceptance.accept(quanke, aq.counter, app.id)
    approval.claim(quanke, aq.approver, app.id)
    with quanke.db.session() as session:
        row = session.get(Application, app.id)
        assert certificate_data(row, session) is None  # not decided: nothing to add
        row.state = State.ISSUED.value  # as if issued before the result was stored
        session.flush()
        with pytest.raises(ResultNotReady):
            certificate_data(row, session)
        session.rollback()
    other = acceptance.file_application(quanke, aq.counter, service_code="sample.permit",
                                      applicant_id=me.applicant_id, form_data={"purpose": "开办示例"},
                                      paper=["id_proof"], consent=True)
    with quanke.db.session() as session:
        assert certificate_data(session.get(Application, other.id), session) is None


def test_the_issued_pdf_lists_the_records(quanke, aq, people, archive):
    from core.papers import issuance
    from core import acceptance
    from core.platform.models import Document
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    switch(quanke, aq, True)
    app = at_counter(aq, me.applicant_id, form(me))
    acceptance.accept(quanke, aq.counter, app.id)
    with quanke.db.session() as session:
        doc = session.scalar(select(Document).where(Document.application_id == app.id,
                                                    Document.kind == "certificate"))
    text = flat("".join(p.extract_text() or "" for p in
                        PdfReader(io.BytesIO(issuance.pdf_bytes(quanke, doc.id))).pages))
    assert "有相关档案记录1条" in text and f"女方{spouse.name}（{spouse.id_number}）" in text


# -- the bureau switch --------------------------------------------------------------------------

def test_only_the_archive_lead_changes_the_switch_and_every_change_is_audited(quanke, aq):
    for who in (aq.approver, aq.counter, aq.sys_admin):
        with pytest.raises(Forbidden) as err:
            settings.set_auto_approve(quanke, who, enabled=True, note="想打开")
        assert err.value.code == "not_archive_lead"
    with pytest.raises(InvalidInput):
        settings.set_auto_approve(quanke, aq.lead, enabled=True, note="")
    with quanke.db.session() as session:
        assert settings.read(session).auto_approve_self is False
    settings.set_auto_approve(quanke, aq.lead, enabled=True, note="经局务会研究同意")
    settings.set_auto_approve(quanke, aq.lead, enabled=True, note="重复提交")  # no change
    settings.set_auto_approve(quanke, aq.lead, enabled=False, note="系统维护期间暂停")
    with quanke.db.session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "archive_setting_changed").order_by(AuditEvent.seq)).all()
        assert [(e.actor, e.data["auto_approve_self"], e.data["note"]) for e in events] == [
            (f"user:{aq.lead.id}", {"from": False, "to": True}, "经局务会研究同意"),
            (f"user:{aq.lead.id}", {"from": True, "to": False}, "系统维护期间暂停")]
        assert settings.read(session).auto_approve_self is False


def test_an_agent_filing_is_never_approved_by_the_rule(quanke, aq, people, archive):
    me = people.citizen
    archive.person("veteran", me.id_number, me.name)
    switch(quanke, aq, True)
    app = at_counter(aq, me.applicant_id, form(me, "veteran"),
                     paper=("applicant_id", "power_of_attorney"), by="agent")
    assert app.channel == "agent"
    acceptance.accept(quanke, aq.counter, app.id)
    assert state(quanke, app.id) == State.ACCEPTED.value
    with quanke.db.session() as session:
        ok, why = autoapproval.self_query_verified(quanke.service(SERVICE),
                                                   session.get(Application, app.id))
    assert (ok, why) == (False, "代办申请须由档案馆审批人员审核")
    assert autoapproval.sweep(quanke) == 0
    assert result(quanke, app.id) is None and looks(quanke, me.id_number) == []


def test_accepting_through_the_web_api_approves_a_self_query_by_the_rule(quanke, aq, people, archive,
                                                                          web):
    from core.people import tokens
    from core.platform.models import User
    me = people.citizen
    archive.person("employment", me.id_number, me.name)
    switch(quanke, aq, True)
    app = at_counter(aq, me.applicant_id, form(me, "employment"))
    with quanke.db.session() as session:
        token = tokens.create_token(session, session.get(User, aq.counter.id), actor="test")
    response = web().post(f"/api/v1/applications/{app.id}/accept", json={},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    assert state(quanke, app.id) == State.ISSUED.value
    assert result(quanke, app.id).records[0]["category"] == "employment"
