"""core.papers.issuance: every transition issues its document; PDFs render from the database, are
sealed where they must be, stored idempotently, superseded, regenerated and revoked."""
from __future__ import annotations

import concurrent.futures
import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import event, select, update

from core.papers import issuance
from core import acceptance, approval
from core.platform.audit import AuditEvent
from core.ops.cli import main
from core.platform.clock import today
from core.papers.documents import format_date
from core.platform.errors import Forbidden, InvalidInput, InvalidState
from core.platform.identifiers import mask_id
from core.platform.models import Applicant, Application, Document
from core.papers.seal import SealMissing, init_dev_ca, verify_pdf
from core.testing import drive_to, file_at_counter, seed_world

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")

ALL_KINDS = ("receipt", "correction_notice", "refusal_notice", "decision_approve", "decision_reject",
             "certificate")


# -- helpers ----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _render_after_commit(request):
    """These tests look at what the render job produced right after each transition
    (the test kit otherwise renders on first download)."""
    for name in ("quanke", "pg_quanke"):
        if name in request.fixturenames:
            request.getfixturevalue(name).config["RENDER_DOCUMENTS_INLINE"] = True


def docs(quanke, app_id: int) -> list[Document]:
    with quanke.db.session() as session:
        return issuance.documents_for(session, app_id)


def current(quanke, app_id: int, kind: str) -> Document:
    found = [d for d in docs(quanke, app_id) if d.kind == kind and d.status == "valid"]
    assert len(found) == 1, [(d.kind, d.status) for d in docs(quanke, app_id)]
    return found[0]


def get(quanke, doc_id: int) -> Document:
    with quanke.db.session() as session:
        return session.get(Document, doc_id)


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def applicant_of(quanke, app_id: int) -> Applicant:
    with quanke.db.session() as session:
        return session.get(Application, app_id).applicant


def correction_app(world):
    """Returned with one missing material, one defective material and a note."""
    app = file_at_counter(world, paper=[])
    return acceptance.return_for_correction(world.quanke, world.acceptor, app.id,
                                          defects={"photo": "照片背景不是白色"},
                                          note="请补充说明用途的具体地点")


def one_of_each(world) -> dict[str, Document]:
    """An application for every document kind; returns kind → the valid document."""
    q = world.quanke
    out = {}
    delivered = drive_to(world, "issued")
    for kind in ("receipt", "decision_approve", "certificate"):
        out[kind] = current(q, delivered.id, kind)
    out["decision_reject"] = current(q, drive_to(world, "rejected").id, "decision_reject")
    out["refusal_notice"] = current(q, drive_to(world, "not_accepted").id, "refusal_notice")
    out["correction_notice"] = current(q, correction_app(world).id, "correction_notice")
    return out


@pytest.fixture
def each(world) -> dict[str, Document]:
    return one_of_each(world)


# -- issuing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("state, kinds", [
    ("accepted", ["receipt"]),
    ("correction_requested", ["correction_notice"]),
    ("not_accepted", ["refusal_notice"]),
    ("approved", ["receipt", "decision_approve"]),
    ("rejected", ["receipt", "decision_reject"]),
    ("issued", ["receipt", "decision_approve", "certificate"]),
    ("submitted", []),
    ("in_review", ["receipt"]),
])
def test_each_transition_issues_its_document(world, state, kinds):
    app = drive_to(world, state)
    found = docs(world.quanke, app.id)
    assert [d.kind for d in found] == kinds
    for doc in found:
        assert doc.status == "valid" and doc.version == 1
        assert re.fullmatch(r"[A-Z2-7]{16}", doc.verification_code)
        assert doc.sha256 and doc.storage_key, "rendered by the job after commit"
        assert doc.signed == (doc.kind in issuance.SEALED_KINDS)
        assert doc.summary["kind"] == doc.kind and doc.summary["service_name"] == "示例许可"


def test_receipt_number_is_the_acceptance_number_and_codes_differ(world):
    app = drive_to(world, "issued")
    found = docs(world.quanke, app.id)
    assert found[0].number == app.receipt_no
    assert found[1].number.startswith(app.number) and found[2].number.startswith(app.number)
    assert len({d.verification_code for d in found}) == 3


def test_transition_audit_names_the_document_but_not_internal_ids(world):
    app = drive_to(world, "accepted")
    with world.quanke.db.session() as session:
        event_ = session.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                          AuditEvent.action == "accept")).one()
    assert event_.data["document"] == app.receipt_no
    assert "_documents" not in event_.data


def test_summary_is_masked(world):
    app = drive_to(world, "issued")
    applicant = applicant_of(world.quanke, app.id)
    for doc in docs(world.quanke, app.id):
        blob = repr(doc.summary)
        assert applicant.id_number not in blob and applicant.name not in blob
        assert doc.summary["applicant_id"] == mask_id(applicant.id_number)
        assert doc.summary["applicant_name"].startswith(applicant.name[0] + "*")
        assert "purpose" not in blob and "开办示例" not in blob  # no form data


def test_service_without_certificate_issues_no_certificate(world, monkeypatch):
    from dataclasses import replace
    q = world.quanke
    service = q.service("sample.permit")
    monkeypatch.setitem(q.plugins.services, "sample.permit", replace(service, certificate=None))
    app = drive_to(world, "issued")
    assert [d.kind for d in docs(q, app.id)] == ["receipt", "decision_approve"]


def test_a_service_with_its_own_decision_letters_gets_none_from_the_core(world, monkeypatch):
    """decision_letters="own" (legal aid): no 准予/不予行政许可决定书 for a service that is not an
    administrative licence, approved, rejected or decided by a rule."""
    from dataclasses import replace
    from core.approval import rules
    q = world.quanke
    service = q.service("sample.permit")
    monkeypatch.setitem(q.plugins.services, "sample.permit", replace(service, decision_letters="own"))
    assert [d.kind for d in docs(q, drive_to(world, "issued").id)] == ["receipt", "certificate"]
    assert [d.kind for d in docs(q, drive_to(world, "rejected").id)] == ["receipt"]
    by_rule = rules.decide_by_rule(q, drive_to(world, "accepted").id, approve=True, rule="测试规则",
                                   reasons="符合条件")
    assert [d.kind for d in docs(q, by_rule.id)] == ["receipt"]


def test_decision_letter_choices_are_validated_and_match_the_kinds():
    from dataclasses import replace
    from core.contract.services import DECISION_LETTER_CHOICES, validate_service
    from core.papers.issuance import DECISION_LETTERS
    from core.testing import SAMPLE_SERVICE
    assert set(DECISION_LETTER_CHOICES) == set(DECISION_LETTERS)
    assert validate_service(SAMPLE_SERVICE) == []
    problems = validate_service(replace(SAMPLE_SERVICE, decision_letters="generic"))
    assert any("决定书类型 'generic' 未知" in p for p in problems), problems


def test_a_second_correction_notice_supersedes_the_first(world):
    q = world.quanke
    app = correction_app(world)
    first = current(q, app.id, "correction_notice")
    acceptance.resubmit(q, world.acceptor, app.id)
    acceptance.return_for_correction(q, world.acceptor, app.id, defects={"photo": "照片仍不合格"})
    second = current(q, app.id, "correction_notice")
    old = get(q, first.id)
    assert old.status == "superseded" and second.supersedes_id == first.id
    assert second.number == f"{app.number}-BZ2" and first.number == f"{app.number}-BZ"
    assert old.summary["replaced_by_number"] == second.number
    assert "照片仍不合格" in text_of(issuance.pdf_bytes(q, second.id))


# -- rendering --------------------------------------------------------------------------------

def test_every_kind_renders_a_valid_pdf_with_its_chinese(world, each):
    q = world.quanke
    for kind, doc in each.items():
        pdf = issuance.pdf_bytes(q, doc.id)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF"), kind
        text = text_of(pdf)
        assert "示例许可" in text or kind == "certificate", kind
        assert f"验证码：{doc.verification_code}" in text, kind
        assert f"/verify/{doc.verification_code}" in text, kind
        assert doc.number in text, kind


def test_receipt_shows_materials_due_date_and_its_explanation(world):
    q = world.quanke
    app = drive_to(world, "accepted")
    text = text_of(issuance.pdf_bytes(q, current(q, app.id, "receipt").id))
    applicant = applicant_of(q, app.id)
    assert "受理回执" in text and app.receipt_no in text
    assert f"承诺办结日期：{format_date(app.due_date)}" in text
    assert "法定时限：5个工作日" in text
    assert "身份证明" in text and "纸质" in text
    assert applicant.name in text and mask_id(applicant.id_number) in text
    assert applicant.id_number not in text
    assert "经办人：测试acceptor" in text and "测试街道便民服务中心" in text


def test_correction_notice_lists_every_gap_and_the_deadline(world):
    q = world.quanke
    app = correction_app(world)
    text = text_of(issuance.pdf_bytes(q, current(q, app.id, "correction_notice").id))
    with q.db.session() as session:
        decision = session.get(Application, app.id).decisions[-1]
    assert len(decision.gaps) == 2
    for gap in decision.gaps:
        assert gap["name"] in text and gap["reason"] in text
    assert "身份证明" in text and "未提交" in text and "照片背景不是白色" in text
    assert "请补充说明用途的具体地点" in text  # the free-text note is a gap too
    assert "共3项" in text
    assert f"请于{format_date(decision.correction_due)}前一次性补正" in text
    assert "逾期未补正" in text


def test_refusal_notice_gives_reasons_and_rights(world):
    q = world.quanke
    app = drive_to(world, "not_accepted")
    text = text_of(issuance.pdf_bytes(q, current(q, app.id, "refusal_notice").id))
    assert "不予受理通知书" in text and "不属于本中心受理范围" in text
    assert "60日内申请行政复议" in text


def test_rejection_letter_gives_reasons_and_appeal_rights(world):
    q = world.quanke
    app = drive_to(world, "rejected")
    pdf = issuance.pdf_bytes(q, current(q, app.id, "decision_reject").id)
    text = text_of(pdf)
    assert "不予行政许可决定书" in text and "不符合条件" in text
    assert "行政复议" in text and "60日" in text and "行政诉讼" in text and "6个月" in text
    assert "示例审批局" in text


def test_approval_letter_and_certificate(world):
    q = world.quanke
    app = drive_to(world, "issued")
    letter = text_of(issuance.pdf_bytes(q, current(q, app.id, "decision_approve").id))
    assert "准予行政许可决定书" in letter and "经办人：测试approver" in letter
    cert = current(q, app.id, "certificate")
    text = text_of(issuance.pdf_bytes(q, cert.id))
    assert "示例许可证" in text and "开办示例" in text and cert.number in text


@pytest.mark.parametrize("kind", ["decision_approve", "decision_reject", "certificate"])
def test_certificates_and_decision_letters_are_sealed_by_the_department(world, each, kind):
    q = world.quanke
    doc = get(q, each[kind].id)
    assert doc.signed
    report = verify_pdf(issuance.pdf_bytes(q, doc.id), [Path(q.config["SEAL_DIR"]) / "ca.pem"])
    assert report.ok and report.trusted, report.errors
    assert report.signer_common_name == "示例审批局"


@pytest.mark.parametrize("kind", ["receipt", "correction_notice", "refusal_notice"])
def test_counter_documents_are_not_sealed(world, each, kind):
    q = world.quanke
    assert not get(q, each[kind].id).signed
    assert not verify_pdf(issuance.pdf_bytes(q, each[kind].id)).signed


def test_render_is_idempotent_and_content_addressed(world):
    q = world.quanke
    app = drive_to(world, "issued")
    cert = current(q, app.id, "certificate")
    first = issuance.pdf_bytes(q, cert.id)
    assert issuance.render(q, cert.id) == first  # stored bytes, not a new signature
    assert q.jobs.enqueue("core.papers.issuance.render_document", document_id=cert.id) == cert.sha256
    path = Path(q.config["INSTANCE_PATH"]) / "documents" / cert.storage_key
    assert path.read_bytes() == first and hashlib.sha256(first).hexdigest() == cert.sha256
    assert get(q, cert.id).sha256 == cert.sha256


def test_lost_or_damaged_file_is_rendered_again(world):
    q = world.quanke
    app = drive_to(world, "issued")
    cert = current(q, app.id, "certificate")
    path = Path(q.config["INSTANCE_PATH"]) / "documents" / cert.storage_key
    path.write_bytes(b"%PDF-1.4 damaged")
    again = issuance.pdf_bytes(q, cert.id)
    assert verify_pdf(again).ok
    fresh = get(q, cert.id)
    assert fresh.sha256 == hashlib.sha256(again).hexdigest() != cert.sha256
    (Path(q.config["INSTANCE_PATH"]) / "documents" / fresh.storage_key).unlink()
    assert verify_pdf(issuance.pdf_bytes(q, cert.id)).ok


def test_unrenderable_name_does_not_break_the_transition(world):
    """A character no font has (U+30000, Extension G) fails the render job, visibly; the
    transition still commits. (Extension B names render: tests/web/test_render_failures.py.)"""
    q = world.quanke
    with q.db.session() as session:
        session.execute(update(Applicant).where(Applicant.id == world.citizen.applicant_id)
                        .values(name="测\U00030000"))
    app = drive_to(world, "accepted")
    receipt = current(q, app.id, "receipt")
    assert receipt.sha256 == ""
    with pytest.raises(issuance.DocumentRenderFailed):
        issuance.render_document(q, document_id=receipt.id)
    with pytest.raises(InvalidInput) as info:
        issuance.pdf_bytes(q, receipt.id)
    assert info.value.code == "glyph_missing" and "U+30000" in info.value.message


def test_rendering_with_rq_style_retries_and_concurrency_records_one_version(world):
    q = world.quanke
    app = drive_to(world, "approved")
    letter = current(q, app.id, "decision_approve")
    with q.db.session() as session:  # as if the job had not run yet
        session.execute(update(Document).where(Document.id == letter.id).values(sha256="", storage_key=""))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: issuance.render(q, letter.id), range(4)))
    stored = get(q, letter.id)
    assert all(hashlib.sha256(r).hexdigest() == stored.sha256 for r in results)


# -- PNG ----------------------------------------------------------------------------------------

@needs_pdftoppm
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_first_page_of_each_kind_is_not_blank(world, each, kind, tmp_path):
    source = tmp_path / f"{kind}.pdf"
    source.write_bytes(issuance.pdf_bytes(world.quanke, each[kind].id))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(tmp_path / kind)], check=True)
    image = Image.open(tmp_path / f"{kind}.png").convert("L")
    body = image.crop((0, 0, image.width, int(image.height * 0.75)))  # above the QR footer
    inked = sum(body.histogram()[:200])
    assert inked > 3000, f"{kind}: only {inked} inked pixels"


# -- revoke -----------------------------------------------------------------------------------

def test_revoke_by_department_lead_is_audited(world):
    q = world.quanke
    app = drive_to(world, "issued")
    cert = current(q, app.id, "certificate")
    issuance.revoke(q, world.lead, cert.id, "证照信息有误，依法撤销")
    doc = get(q, cert.id)
    assert doc.status == "revoked" and doc.revoked_at and doc.revoke_reason == "证照信息有误，依法撤销"
    with q.db.session() as session:
        found = issuance.lookup(session, cert.verification_code)
        audit_row = session.scalars(select(AuditEvent).where(AuditEvent.action == "revoke_document")).one()
    assert found.status == "revoked" and found.revoked_on == today().isoformat()
    assert audit_row.object_id == str(cert.id) and audit_row.actor == f"user:{world.lead.id}"
    assert audit_row.data["reason"] == "证照信息有误，依法撤销"
    with pytest.raises(InvalidState):
        issuance.revoke(q, world.lead, cert.id, "再次撤销")


def test_revoke_needs_the_power_and_a_reason(world):
    q = world.quanke
    app = drive_to(world, "issued")
    cert = current(q, app.id, "certificate")
    for who in (world.counter, world.approver, world.approver_other, world.citizen):
        with pytest.raises(Forbidden):
            issuance.revoke(q, who, cert.id, "理由")
    with pytest.raises(InvalidInput):
        issuance.revoke(q, world.lead, cert.id, "   ")
    issuance.revoke(q, world.centre_admin, cert.id, "中心管理员撤销")
    assert get(q, cert.id).status == "revoked"


# -- regenerate -------------------------------------------------------------------------------

def test_regenerate_makes_a_new_version_and_supersedes_the_old(world):
    q = world.quanke
    app = drive_to(world, "issued")
    old = current(q, app.id, "certificate")
    new = issuance.regenerate(q, old.id, actor="cli")
    assert (new.number, new.version, new.supersedes_id, new.status) == (old.number, 2, old.id, "valid")
    assert new.verification_code != old.verification_code
    assert new.issued_at == old.issued_at and new.signed and new.sha256 != old.sha256
    with q.db.session() as session:
        assert issuance.lookup(session, old.verification_code).status == "superseded"
        assert issuance.lookup(session, new.verification_code).status == "valid"
    assert get(q, old.id).summary["replaced_by_version"] == 2
    text = text_of(issuance.pdf_bytes(q, new.id))
    assert new.verification_code in text and old.verification_code not in text
    assert verify_pdf(issuance.pdf_bytes(q, new.id)).ok
    with pytest.raises(InvalidState):
        issuance.regenerate(q, old.id)


def test_regenerate_command_with_progress(world):
    q = world.quanke
    apps = [drive_to(world, "issued") for _ in range(3)]
    old = [current(q, a.id, "certificate") for a in apps]
    day = today().isoformat()
    runner = CliRunner()
    result = runner.invoke(main, ["documents", "regenerate", "--from", day, "--to", day,
                                  "--kind", "certificate"], obj=q)
    assert result.exit_code == 0, result.output
    assert "有效文书（certificate）：3 份" in result.output
    assert "重新生成文书" in result.output and "3/3" in result.output  # the tqdm bar
    assert "已重新生成 3 份，失败 0 份" in result.output
    for app, before in zip(apps, old):
        assert get(q, before.id).status == "superseded"
        assert current(q, app.id, "certificate").version == 2
        assert current(q, app.id, "receipt").version == 1  # --kind limits it
    with q.db.session() as session:
        assert len(session.scalars(select(AuditEvent).where(
            AuditEvent.action == "regenerate_document")).all()) == 3


def test_regenerate_command_range_and_bad_input(world):
    q = world.quanke
    app = drive_to(world, "approved")
    runner = CliRunner()
    result = runner.invoke(main, ["documents", "regenerate", "--from", "2020-01-01", "--to", "2020-01-31"], obj=q)
    assert result.exit_code == 0 and "0 份" in result.output
    day = today().isoformat()
    result = runner.invoke(main, ["documents", "regenerate", "--from", day, "--to", day, "--dry-run"], obj=q)
    assert result.exit_code == 0 and "2 份" in result.output
    assert current(q, app.id, "receipt").version == 1
    result = runner.invoke(main, ["documents", "regenerate", "--from", day, "--to", "2020-01-01"], obj=q)
    assert result.exit_code == 2 and "截止日期早于起始日期" in result.output
    result = runner.invoke(main, ["documents", "regenerate", "--from", "yesterday", "--to", day], obj=q)
    assert result.exit_code == 2
    result = runner.invoke(main, ["documents", "regenerate", "--from", day, "--to", day, "--kind", "x"], obj=q)
    assert result.exit_code == 2
    result = runner.invoke(main, ["documents", "regenerate", "--from", day, "--to", day], obj=q)
    assert result.exit_code == 0 and "已重新生成 2 份" in result.output


# -- delivery ---------------------------------------------------------------------------------

def test_delivery_is_shown_masked_on_the_certificate_summary(world):
    q = world.quanke
    app = drive_to(world, "issued")
    acceptance.deliver(q, world.counter_b, app.id, recipient_id_number=app.applicant.id_number)
    summary = current(q, app.id, "certificate").summary
    delivery = summary["delivery"]
    assert delivery["method"] == "pickup" and delivery["centre"] == "另一街道便民服务中心"
    assert delivery["identity_checked"] is True and delivery["on"] == today().isoformat()
    assert app.applicant.id_number not in repr(summary) and app.applicant.name not in repr(summary)


def test_courier_delivery_masks_the_tracking_number(world):
    q = world.quanke
    app = drive_to(world, "issued")
    acceptance.deliver(q, world.counter, app.id, method="courier", tracking_no="SF1234567890123")
    delivery = current(q, app.id, "certificate").summary["delivery"]
    assert delivery["tracking_no"] == "SF12*******0123"
    # a regenerated version keeps the delivery
    new = issuance.regenerate(q, current(q, app.id, "certificate").id)
    assert new.summary["delivery"]["tracking_no"] == "SF12*******0123"


# -- lookup -----------------------------------------------------------------------------------

def test_lookup_is_one_indexed_query_whatever_the_input(world):
    q = world.quanke
    app = drive_to(world, "accepted")
    code = current(q, app.id, "receipt").verification_code
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(q.db.engine, "before_cursor_execute", count)
    try:
        results = {}
        for label, raw in {"valid": code, "lower-dashed": f"{code[:4].lower()}-{code[4:]}",
                           "unknown": "A" * 16, "malformed": "<script>", "empty": "", "long": "Z" * 5000,
                           "chinese": "验证码"}.items():
            statements.clear()
            with q.db.session() as session:
                results[label] = issuance.lookup(session, raw)
            assert len(statements) == 1 and "verification_code" in statements[0], (label, statements)
    finally:
        event.remove(q.db.engine, "before_cursor_execute", count)
    assert results["valid"].status == "valid" and results["lower-dashed"].status == "valid"
    assert all(results[k] is None for k in ("unknown", "malformed", "empty", "long", "chinese"))


def test_verification_codes_are_random_and_well_formed():
    codes = {issuance.new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[A-Z2-7]{16}", c) for c in codes)
    assert issuance.normalise_code("abcd efgh-ijkl mnop") == "ABCDEFGHIJKLMNOP"
    assert issuance.normalise_code("0000000000000000") is None


# -- seals at start-up --------------------------------------------------------------------------

def test_check_seals_in_production_names_the_missing_department(quanke):
    quanke.config["ENV"] = "production"
    with pytest.raises(SealMissing) as info:
        issuance.check_seals(quanke)
    assert "示例审批局（sample_dept）" in info.value.message
    assert "sample_dept" in info.value.details["departments"]
    assert not list(Path(quanke.config["SEAL_DIR"]).glob("*.p12"))  # nothing created silently
    init_dev_ca(quanke.config["SEAL_DIR"], dict(quanke.plugins.departments))  # the operator provisions them
    paths = issuance.check_seals(quanke)
    assert paths["sample_dept"].is_file()


def test_check_seals_in_development_creates_them(quanke):
    seal_dir = Path(quanke.config["SEAL_DIR"])
    assert not (seal_dir / "sample_dept.p12").exists()
    paths = issuance.check_seals(quanke)
    departments = {s.department for s in quanke.plugins.services.values()}
    assert set(paths) == departments and all(p.is_file() for p in paths.values())
    assert (seal_dir / "ca.pem").is_file()


def test_production_render_without_seal_fails_clearly_and_keeps_the_row(world):
    q = world.quanke
    app = drive_to(world, "in_review")
    q.config["ENV"] = "production"
    approval.approve(q, world.approver, app.id)  # the inline job fails; the decision stands
    letter = current(q, app.id, "decision_approve")
    assert letter.sha256 == "" and get(q, letter.id).status == "valid"
    with pytest.raises(SealMissing) as info:
        issuance.pdf_bytes(q, letter.id)
    assert "sample_dept" in info.value.message


# -- PostgreSQL ---------------------------------------------------------------------------------

@pytest.mark.postgres
def test_issuing_and_verifying_on_postgresql(pg_quanke):
    world = seed_world(pg_quanke)
    app = drive_to(world, "issued")
    acceptance.deliver(pg_quanke, world.counter, app.id, recipient_id_number=app.applicant.id_number)
    found = docs(pg_quanke, app.id)
    assert [d.kind for d in found] == ["receipt", "decision_approve", "certificate"]
    assert all(d.sha256 for d in found)
    cert = found[-1]
    assert verify_pdf(issuance.pdf_bytes(pg_quanke, cert.id)).ok
    new = issuance.regenerate(pg_quanke, cert.id)
    issuance.revoke(pg_quanke, world.lead, new.id, "测试撤销")
    with pg_quanke.db.session() as session:
        assert issuance.lookup(session, cert.verification_code).status == "superseded"
        revoked = issuance.lookup(session, new.verification_code)
        assert revoked.status == "revoked" and revoked.summary["delivery"]["method"] == "pickup"
        assert issuance.lookup(session, "nonsense") is None
    with pg_quanke.db.session() as session:  # concurrent renders of one document agree
        session.execute(update(Document).where(Document.id == found[1].id).values(sha256="", storage_key=""))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: issuance.render(pg_quanke, found[1].id), range(4)))
    stored = get(pg_quanke, found[1].id)
    assert {hashlib.sha256(r).hexdigest() for r in results} == {stored.sha256}


def test_failed_regeneration_changes_nothing(world):
    q = world.quanke
    app = drive_to(world, "issued")
    cert = current(q, app.id, "certificate")
    (Path(q.config["SEAL_DIR"]) / "sample_dept.p12").unlink()
    q.config["ENV"] = "production"
    with pytest.raises(SealMissing):
        issuance.regenerate(q, cert.id)
    assert [(d.kind, d.version, d.status) for d in docs(q, app.id)] == [
        ("receipt", 1, "valid"), ("decision_approve", 1, "valid"), ("certificate", 1, "valid")]
    day = today().isoformat()
    result = CliRunner().invoke(main, ["documents", "regenerate", "--from", day, "--to", day,
                                       "--kind", "certificate"], obj=q)
    assert result.exit_code == 1 and "失败 1 份" in result.output and "sample_dept" in result.output
    assert current(q, app.id, "certificate").id == cert.id


@pytest.mark.redis
def test_with_redis_rendering_is_a_job_run_by_a_worker(tmp_path, sqlite_template):
    """With REDIS_URL the transition only queues the rendering; a worker does it."""
    import uuid

    from redis import Redis
    from rq import SimpleWorker

    from core.ops import worker
    from core.testing import REDIS_TEST_URL, runtime
    path = tmp_path / "redis.db"
    shutil.copy(sqlite_template, path)
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    q = runtime(f"sqlite:///{path}", tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix)
    redis = Redis.from_url(REDIS_TEST_URL)
    previous = worker._worker_runtime
    try:
        world = seed_world(q)
        app = drive_to(world, "accepted")
        receipt = current(q, app.id, "receipt")
        assert receipt.sha256 == ""  # queued, not rendered in the request
        queued = [j for j in q.jobs.queue.get_jobs() if j.args and j.args[0] == "core.papers.issuance.render_document"]
        assert [j.args[1] for j in queued] == [{"document_id": receipt.id}] and queued[0].retries_left
        worker._worker_runtime = q
        SimpleWorker([q.jobs.queue], connection=q.jobs.redis).work(burst=True)
        assert get(q, receipt.id).sha256 and "受理回执" in text_of(issuance.pdf_bytes(q, receipt.id))
    finally:
        worker._worker_runtime = previous
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        q.close()


def test_certificate_data_hook_fills_in_what_only_the_plugin_knows(world, monkeypatch):
    from dataclasses import replace

    from core import hookimpl
    from core.papers.documents import CertificateTemplate
    q = world.quanke
    seen = []

    class LicencePlugin:
        @hookimpl
        def certificate_data(self, application, session):
            seen.append((application.service_code, application.state, session.is_active))
            return {"licence_no": f"XK-{application.id:06d}"}

    template = CertificateTemplate("示例许可证", lambda c: [("许可证号", c.extra["licence_no"]),
                                                         ("证照编号", c.extra["certificate_no"])])
    monkeypatch.setitem(q.plugins.services, "sample.permit",
                        replace(q.service("sample.permit"), certificate=template))
    q.plugins.pm.register(LicencePlugin(), name="licence-test")
    try:
        app = drive_to(world, "issued")
    finally:
        q.plugins.pm.unregister(name="licence-test")
    cert = current(q, app.id, "certificate")
    text = text_of(issuance.pdf_bytes(q, cert.id))
    assert f"XK-{app.id:06d}" in text and cert.number in text
    assert seen == [("sample.permit", "issued", True)]  # certificates only, not decision letters
