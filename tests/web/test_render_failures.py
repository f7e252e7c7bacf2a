"""Documents for applicants whose names need CJK Extension B are rendered through the whole
workflow; a document that cannot be rendered (a character no font has) is a failed job — kept
on the document, shown to the approver, audited, counted in /metrics and failed in rq — never
a "Job OK" with no PDF behind it."""
from __future__ import annotations

import gc
import io
import os
import shutil
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from core.ops import worker
from core.papers import issuance
from core.platform.audit import AuditEvent
from core.platform.models import Applicant, Document
from core.testing import REDIS_TEST_URL, drive_to, runtime

EXT_B_NAME = "张\U00020000\U0002A6A5"     # 张𠀀𪚥
NO_FONT_HAS = "测\U00030000"              # Extension G: neither UMing nor HanaMin B
needs_fallback = pytest.mark.skipif(
    not os.path.isfile("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
    reason="fonts-hanazono not installed (scripts/install.sh installs it)")


def rename(quanke, applicant_id: int, name: str) -> None:
    with quanke.db.session() as session:
        session.execute(update(Applicant).where(Applicant.id == applicant_id).values(name=name))


def document(quanke, app_id: int, kind: str) -> Document:
    with quanke.db.session() as session:
        return session.scalars(select(Document).where(Document.application_id == app_id,
                                                      Document.kind == kind)).one()


@needs_fallback
def test_an_extension_b_name_gets_every_paper_of_the_workflow(world):
    rename(world.quanke, world.citizen.applicant_id, EXT_B_NAME)
    app = drive_to(world, "issued")
    for kind in ("receipt", "decision_approve", "certificate"):
        doc = document(world.quanke, app.id, kind)
        assert issuance.render_document(world.quanke, document_id=doc.id) == document(world.quanke, app.id, kind).sha256
        pdf = issuance.pdf_bytes(world.quanke, doc.id)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        if kind != "certificate":   # the sample certificate prints no name
            assert EXT_B_NAME in text.replace(" ", ""), kind


def test_a_failed_render_is_kept_audited_and_shown_to_the_approver(world, app):
    quanke = world.quanke
    rename(quanke, world.citizen.applicant_id, NO_FONT_HAS)
    application = drive_to(world, "approved")
    letter = document(quanke, application.id, "decision_approve")
    with pytest.raises(issuance.DocumentRenderFailed):
        issuance.render_document(quanke, document_id=letter.id)
    stored = document(quanke, application.id, "decision_approve")
    assert stored.sha256 == "" and issuance.render_failure(stored)["codepoints"] == ["U+30000"]
    assert "\U00030000" not in str(stored.summary)       # the public summary holds no name characters
    with quanke.db.session() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "document_render_failed",
                                                           AuditEvent.object_id == str(letter.id))).all()
        assert event.application_id == application.id and event.data["codepoints"] == ["U+30000"]
    from webtools import sign_in
    client = app.test_client()
    sign_in(client, f"u:{world.approver.id}")
    page = client.get(f"/approvals/applications/{application.id}").get_data(as_text=True)
    assert "生成失败：字体无法显示 U+30000" in page and 'data-testid="render-failed"' in page
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "quanke_documents_render_failed 1.0" in metrics


@pytest.mark.redis
def test_rq_records_the_failed_render_as_a_failed_job(tmp_path, sqlite_template):
    """Before: the job returned "glyph_missing" and rq said "Job OK"."""
    pytest.importorskip("redis")
    from redis import Redis
    from rq.registry import FailedJobRegistry

    from core.testing import seed_world
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    shutil.copy(sqlite_template, tmp_path / "worker.db")
    db = f"sqlite:///{tmp_path}/worker.db"
    quanke = runtime(db, tmp_path, REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix,
                     RENDER_DOCUMENTS_INLINE=False)
    redis = Redis.from_url(REDIS_TEST_URL)
    try:
        world = seed_world(quanke)
        rename(quanke, world.citizen.applicant_id, NO_FONT_HAS)
        receipt = document(quanke, drive_to(world, "accepted").id, "receipt")
        job = quanke.jobs.enqueue("core.papers.issuance.render_document", document_id=receipt.id)
        previous = worker._worker_runtime
        try:  # in this process: the worker needs the test kit's sample service
            worker.run_worker(quanke, burst=True, with_cron=False)
        finally:
            worker._worker_runtime = previous
            gc.unfreeze()
        assert job.get_status(refresh=True) == "failed"
        assert "DocumentRenderFailed" in job.latest_result().exc_string
        assert job.id in FailedJobRegistry(queue=quanke.jobs.queue).get_job_ids()
        assert issuance.render_failure(document(quanke, receipt.application_id, "receipt"))
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        quanke.close()
