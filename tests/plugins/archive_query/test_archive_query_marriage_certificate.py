"""A marriage-record certificate names both spouses, in full, as the record has them — or it
is useless for property and inheritance matters; lists and the verification page stay masked."""
from __future__ import annotations

from sqlalchemy import select

from core import acceptance
from core.platform.identifiers import mask_id
from core.platform.models import Application, State
from plugins.archive_query.documents import CERTIFICATE, MASK_NOTE, NAMES_EVERYONE_NOTE
from plugins.archive_query.domain import lookups
from plugins.archive_query.domain.results import certificate_data
from plugins.archive_query.models import QueryResult
from tests.plugins.archive_query.aq_helpers import (
    at_counter,
    certificate,
    flat,
    form,
    issued_pdf,
    pdf_text,
    result,
    state,
    switch,
)


def _issued_self_query(quanke, aq, person, category="marriage"):
    """A self-query filed and accepted at the counter, approved and issued by the bureau's rule."""
    switch(quanke, aq, True)
    app = at_counter(aq, person.applicant_id, form(person, category))
    acceptance.accept(quanke, aq.counter, app.id)
    assert state(quanke, app.id) == State.ISSUED.value
    return app


def test_the_issued_marriage_certificate_names_both_spouses_with_their_id_numbers(
        quanke, aq, people, archive):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    app = _issued_self_query(quanke, aq, me)
    text = pdf_text(issued_pdf(quanke, app.id))
    assert "档案查询结果证明" in text and "婚姻档案中有相关档案记录1条" in text
    assert f"男方{me.name}（{me.id_number}）" in text
    assert f"女方{spouse.name}（{spouse.id_number}）" in text
    assert f"档案当事人{me.name}（{me.id_number}）" in text
    assert "登记类型：结婚登记" in text and "证书字号：宁玄结字第001号" in text
    assert flat(NAMES_EVERYONE_NOTE) in text and flat(MASK_NOTE) not in text
    assert "馆内备注" not in text  # the archive's own remarks never leave it


def test_the_spouse_who_asks_gets_the_same_two_names(quanke, aq, people, archive):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    app = _issued_self_query(quanke, aq, spouse)
    text = pdf_text(issued_pdf(quanke, app.id))
    assert f"男方{me.name}（{me.id_number}）" in text
    assert f"女方{spouse.name}（{spouse.id_number}）" in text


def test_the_verification_page_and_the_citizens_list_stay_masked(quanke, aq, people, archive, web):
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    app = _issued_self_query(quanke, aq, me)
    code = certificate(quanke, app.id).verification_code
    for path in (f"/verify/{code}.json", f"/verify/{code}"):
        page = web().get(path)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert spouse.name not in body and spouse.id_number not in body
        assert me.id_number not in body
    assert web().get(f"/verify/{code}.json").get_json()["document"]["applicant_id"] == mask_id(me.id_number)
    # The citizen's own list of records (portal and API) keeps the other spouse masked.
    listed = lookups.own_records(quanke, aq.citizen)
    assert [(p["name"], p["id_number"]) for p in listed[0]["persons"]] == [
        (me.name, mask_id(me.id_number)), (spouse.name[0] + "**", mask_id(spouse.id_number))]
    api = web("citizen").get("/api/v1/archive_query/records").get_json()
    assert spouse.name not in str(api) and spouse.id_number not in str(api)


def test_other_categories_still_mask_everyone_but_the_subject(quanke, aq, people, archive):
    me, spouse = people.citizen, people.spouse
    archive.person("family_planning", me.id_number, me.name,
                   spouse_id_number=spouse.id_number, spouse_name=spouse.name)
    app = _issued_self_query(quanke, aq, me, "family_planning")
    text = pdf_text(issued_pdf(quanke, app.id))
    assert f"配偶{spouse.name[0]}**（{mask_id(spouse.id_number)}）" in text
    assert spouse.id_number not in text and me.id_number not in text
    assert flat(MASK_NOTE) in text


def test_a_result_stored_masked_before_is_not_dressed_up_as_naming_everyone(
        quanke, aq, people, archive):
    """Results are frozen at decision time: one stored masked (before this rule) still renders
    masked, and its certificate does not claim to name both spouses."""
    from core.contract.services import CertificateContext
    me, spouse = people.citizen, people.spouse
    archive.marriage(me.id_number, me.name, spouse.id_number, spouse.name)
    app = _issued_self_query(quanke, aq, me)
    with quanke.db.session() as session:
        stored = session.scalar(select(QueryResult).where(QueryResult.application_id == app.id))
        records = [dict(r) for r in stored.records]
        records[0]["persons"] = [{**p, "id_number": mask_id(p["id_number"])} for p in records[0]["persons"]]
        stored.records = records
    with quanke.db.session() as session:
        row = session.get(Application, app.id)
        ctx = CertificateContext(
            application_no=row.number, service_code=row.service_code, service_name="档案查询（e站通）",
            applicant_name=me.name, applicant_id_masked=mask_id(me.id_number),
            form_data=dict(row.form_data), department_code="archives", department_name="区档案馆",
            centre_name="测试中心", decided_at=row.decided_at, verification_code="TESTCODE",
            verification_url="http://127.0.0.1/verify/TESTCODE", extra=certificate_data(row, session))
    text = pdf_text(bytes(CERTIFICATE(ctx)))
    assert flat(MASK_NOTE) in text and flat(NAMES_EVERYONE_NOTE) not in text
    assert spouse.id_number not in text and me.id_number not in text
    assert result(quanke, app.id).records[0]["persons"][1]["id_number"] == mask_id(spouse.id_number)
