"""Querying someone else's records: a deceased relative's (近亲属 only, 民法典 Art. 1045) and a
lawyer's (the firm's own letter is not enough without a court or case document)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core import acceptance, approval
from core.platform.errors import InvalidInput
from core.platform.models import Application, Decision, State
from core.testing import snapshot
from tests.plugins.archive_query.aq_helpers import (
    at_counter,
    form,
    issued_pdf,
    pdf_text,
    state,
)

RELATIVE_PAPERS = ("applicant_id", "death_certificate", "kinship_proof")
CASE = "（2026）苏0102民初1234号"


def _relative_query(aq, people, relation="child", paper=RELATIVE_PAPERS, **extra):
    """The other citizen asks at the counter for the (deceased) citizen's marriage record."""
    return at_counter(aq, people.other_citizen.applicant_id,
                      form(people.citizen, basis="deceased_relative", purpose="办理继承公证",
                           relation=relation, **extra), paper=paper)


def _lawyer_query(aq, people, paper=("applicant_id", "investigation_letter"), case=CASE):
    return at_counter(aq, people.other_citizen.applicant_id,
                      form(people.citizen, basis="investigation", purpose="离婚后财产纠纷诉讼取证",
                           investigator="lawyer", case_number=case), paper=paper)


def _applications(quanke) -> int:
    with quanke.db.session() as session:
        return session.scalar(select(func.count(Application.id)))


# -- the deceased relative ----------------------------------------------------------------------

def test_a_child_of_the_deceased_is_accepted_after_the_counter_compares_the_kinship_proof(
        quanke, aq, people, archive):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    app = _relative_query(aq, people)
    with quanke.db.session() as session:
        assert session.get(Application, app.id).form_data["relation"] == "child"  # recorded
    warnings = [reason for _, _, r in acceptance.preview_checks(quanke, app.id) for reason in r.reasons]
    assert any("申请人是档案当事人的子女" in w and "第一千零四十五条" in w and "亲属关系证明" in w
               for w in warnings), warnings
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, aq.counter, app.id)
    assert err.value.code == "warn_reason_required"
    acceptance.accept(quanke, aq.counter, app.id, warn_reason="已核对死亡证明和户口簿，申请人系当事人之子")
    approval.claim(quanke, aq.approver, app.id)
    approval.approve(quanke, aq.approver, app.id, reasons="近亲属关系证明充分")
    approval.issue(quanke, aq.approver, app.id)
    text = pdf_text(issued_pdf(quanke, app.id))
    assert "查询已故亲属档案，查询人是档案当事人的子女（近亲属，《民法典》第一千零四十五条）" in text
    # the inheritance matter needs both spouses of the deceased's marriage, in full
    assert f"男方{me.name}（{me.id_number}）" in text and f"女方{spouse.name}（{spouse.id_number}）" in text


@pytest.mark.parametrize("relation", ["表哥", "friend", "uncle"])
def test_a_relation_that_is_not_a_close_relative_is_refused_and_nothing_is_saved(
        quanke, aq, people, relation):
    before = _applications(quanke)
    with pytest.raises(InvalidInput) as err:
        _relative_query(aq, people, relation=relation)
    assert err.value.code == "invalid_form" and list(err.value.details["fields"]) == ["relation"]
    message = err.value.details["fields"]["relation"][0]
    assert f"亲属关系“{relation}”不属于近亲属" in message
    assert "第一千零四十五条" in message and "配偶、父母、子女、兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女" in message
    assert _applications(quanke) == before


@pytest.mark.parametrize("data, field, text", [
    ({"basis": "deceased_relative"}, "relation", "请选择申请人与档案当事人的近亲属关系"),
    ({"basis": "self", "relation": "child"}, "relation", "只有查询已故亲属档案时才选择亲属关系"),
    ({"basis": "investigation"}, "investigator", "请选择调查人是人民法院还是律师"),
    ({"basis": "investigation", "investigator": "lawyer"}, "case_number", "律师调查须填写案号"),
    ({"basis": "attorney", "case_number": CASE}, "case_number", "只有律师调查时才填写案号"),
])
def test_the_form_asks_for_what_the_basis_needs_and_nothing_else(quanke, aq, people, data, field, text):
    before = _applications(quanke)
    with pytest.raises(InvalidInput) as err:
        at_counter(aq, people.other_citizen.applicant_id, {**form(people.citizen), **data})
    assert err.value.code == "invalid_form"
    assert any(text in m for m in err.value.details["fields"][field]), err.value.details
    assert _applications(quanke) == before


def test_a_missing_kinship_proof_is_on_the_one_time_notice_naming_the_relation(quanke, aq, people):
    app = _relative_query(aq, people, relation="grandchild", paper=("applicant_id",))
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, aq.counter, app.id, warn_reason="试图受理")
    assert err.value.code == "materials_missing"
    assert err.value.details["missing"] == ["death_certificate", "kinship_proof"]
    acceptance.return_for_correction(quanke, aq.counter, app.id)
    with quanke.db.session() as session:
        gaps = session.scalar(select(Decision.gaps).where(Decision.application_id == app.id,
                                                          Decision.kind == "return"))
    assert [g["code"] for g in gaps] == ["death_certificate", "kinship_proof"]
    assert "须证明申请人是档案当事人的孙子女" in gaps[1]["reason"]


# -- the lawyer ---------------------------------------------------------------------------------

def test_a_lawyers_own_letter_is_not_enough_and_the_notice_asks_for_a_court_or_case_document(
        quanke, aq, people, archive):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    app = _lawyer_query(aq, people)  # filed: a missing material never refuses the filing
    before = snapshot(quanke, app.id)
    with pytest.raises(InvalidInput) as err:
        acceptance.accept(quanke, aq.counter, app.id, warn_reason="律师持调查函")
    assert err.value.code == "materials_missing"
    assert err.value.details["missing"] == ["case_document"]
    assert "缺少法院或案件文书" in err.value.message
    assert "律师事务所调查函不能单独作为查询依据" in err.value.message
    assert "立案通知书、法院调查令或载明案号" + CASE + "的委托代理合同" in err.value.message
    assert "法律未规定律师查档须提交哪些文书" in err.value.message  # the statute is silent: said so
    assert snapshot(quanke, app.id) == before
    acceptance.return_for_correction(quanke, aq.counter, app.id)
    with quanke.db.session() as session:
        gaps = session.scalar(select(Decision.gaps).where(Decision.application_id == app.id,
                                                          Decision.kind == "return"))
    assert [g["code"] for g in gaps] == ["case_document"]
    assert "律师事务所调查函不能单独作为查询依据" in gaps[0]["reason"]
    # The lawyer brings the court's investigation order: accepted once the counter compared it.
    acceptance.attach_material(quanke, aq.counter, app.id, paper=["case_document"])
    acceptance.resubmit(quanke, aq.counter, app.id)
    warnings = [reason for _, _, r in acceptance.preview_checks(quanke, app.id) for reason in r.reasons]
    assert any(f"案号应与申请填写的“{CASE}”一致" in w for w in warnings), warnings
    acceptance.accept(quanke, aq.counter, app.id, warn_reason="已核对法院调查令，案号一致")
    assert state(quanke, app.id) == State.ACCEPTED.value
    approval.claim(quanke, aq.approver, app.id)
    approval.approve(quanke, aq.approver, app.id, reasons="持法院调查令，与诉讼有关")
    approval.issue(quanke, aq.approver, app.id)
    text = pdf_text(issued_pdf(quanke, app.id))
    assert f"法院或律师调查，调查人：律师，案号：{CASE}" in text


def test_a_court_investigation_needs_only_the_courts_letter(quanke, aq, people):
    app = at_counter(aq, people.other_citizen.applicant_id,
                     form(people.citizen, basis="investigation", purpose="审理继承纠纷案件",
                          investigator="court"), paper=("applicant_id", "investigation_letter"))
    acceptance.accept(quanke, aq.counter, app.id, warn_reason="已核对人民法院调查函")
    assert state(quanke, app.id) == State.ACCEPTED.value


def test_the_guide_says_the_statute_is_silent_on_a_lawyers_documents(quanke, aq, web):
    page = web("citizen").get("/portal/services/archive_query.query")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "法律未规定律师查阅他人档案须提交哪些文书" in html
    assert "法院或案件文书" in html and "立案通知书、法院调查令或载明案号的委托代理合同" in html
    assert "民法典》第一千零四十五条" in html
