"""Application logs: JSON lines with the request ID (also in the jobs a request enqueues),
and no resident ID number, phone number or name of the people in a real flow."""
from __future__ import annotations

import io
import json
import logging

import pytest

from core.platform.logs import configure_logging, mask_personal_data
from core.people.sms_login import MemorySmsSender
from core.testing import drive_to, file_at_counter

from webtools import Browser, sign_in


@pytest.fixture
def captured(quanke):
    stream = io.StringIO()
    handler = configure_logging({**quanke.config, "LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}, stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def _lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_masking_of_ids_and_phones():
    text = mask_personal_data("张三 320102199003071234 电话13800000001 / +86 139-0000 0002 "
                              "旧证320102900307123 单号QK2026112312345678")
    assert "320102199003071234" not in text and "320102********1234" in text
    assert "13800000001" not in text and "138****0001" in text and "139****0002" in text
    assert "320102900307123" not in text
    assert "QK2026112312345678" in text                           # application numbers stay


def test_a_real_flow_leaves_no_personal_data_in_the_logs(web, world, captured, caplog):
    quanke = world.quanke
    with quanke.db.session() as s:
        from core.platform.models import Citizen
        citizen = s.get(Citizen, world.citizen.id)
        id_number, phone, name = citizen.applicant.id_number, citizen.phone, citizen.name
    # staff: file, accept and push an application through, with logging at DEBUG
    logging.getLogger("core").debug("filing for %s (%s)", id_number, phone)
    app = file_at_counter(world)
    drive_to(world, "issued")
    # citizen: SMS sign-in on the portal, and a counter lookup of the person by ID number
    b = Browser(web.test_client())
    b.post("/portal/login", {"step": "send", "p-phone": phone})
    code = MemorySmsSender.last_code(phone)
    b.post("/portal/login", {"step": "verify", "c-phone": phone, "c-code": code})
    b.get("/portal/")
    staff = Browser(web.test_client())
    sign_in(staff.client, f"u:{world.users['counter'].id}")
    staff.get(f"/validate-id?id_number={id_number}")
    staff.get(f"/counter/applications/{app.id}")
    logging.getLogger("web").warning("lookup of %s failed for %s", id_number, phone)
    output = captured.getvalue()
    assert _lines(captured), "the flow wrote log lines"
    assert id_number not in output and phone not in output and name not in output
    assert id_number[:6] + "*" in output                       # masked, still traceable


def test_lines_carry_the_request_id_into_jobs(web, world, captured):
    rid = "req-test-0001"

    @web.get("/probe-log")
    def probe():
        logging.getLogger("web.probe").info("probe line")
        world.quanke.jobs.enqueue("tests_security_jobs.log_line")  # inline without Redis
        return "ok"
    import sys
    import types
    module = types.ModuleType("tests_security_jobs")

    def log_line(quanke):
        logging.getLogger("core.jobs.probe").info("job line")
    module.log_line = log_line
    sys.modules["tests_security_jobs"] = module
    response = web.test_client().get("/probe-log", headers={"X-Request-ID": rid})
    assert response.headers["X-Request-ID"] == rid
    lines = {line["message"]: line for line in _lines(captured)}
    assert lines["probe line"]["request_id"] == rid and lines["job line"]["request_id"] == rid
    assert {"time", "level", "logger"} <= set(lines["probe line"])


@pytest.mark.redis
def test_rq_job_gets_the_request_id_of_the_request(quanke, captured):
    """The job runs on a worker (here: the rq SimpleWorker in this process) with the ID."""
    pytest.importorskip("rq")
    from redis import Redis
    from rq import SimpleWorker

    from core.platform.logs import request_id_var
    from core.testing import REDIS_TEST_URL
    import uuid
    quanke.config.update(REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=f"quanke-test-{uuid.uuid4().hex[:8]}")
    from core.jobs.runner import JobRunner
    quanke.jobs = JobRunner(quanke)
    token = request_id_var.set("req-from-web-42")
    try:
        job = quanke.jobs.enqueue("core.jobs.outbox.dispatch_pending")
    finally:
        request_id_var.reset(token)
    assert job.meta["request_id"] == "req-from-web-42"
    import core.ops.worker
    core.ops.worker._worker_runtime = quanke
    try:
        SimpleWorker([quanke.jobs.queue], connection=Redis.from_url(REDIS_TEST_URL)).work(burst=True)
    finally:
        core.ops.worker._worker_runtime = None
    job.refresh()
    assert job.get_status() == "finished"
    started = [line for line in _lines(captured) if line["message"] == "job core.jobs.outbox.dispatch_pending started"]
    assert started and started[0]["request_id"] == "req-from-web-42"
    quanke.jobs.queue.delete(delete_jobs=True)
