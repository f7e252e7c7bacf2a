"""/metrics in the Prometheus text format: request latency by endpoint, applications by
state, overdue count, outbox backlog, face-check outcomes; rq jobs when Redis is used."""
import uuid

import pytest

text_string_to_metric_families = pytest.importorskip(
    "prometheus_client.parser").text_string_to_metric_families
from sqlalchemy import select

from core.platform.models import Applicant, Application
from core.testing import REDIS_TEST_URL, drive_to


def _samples(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_expose_latency_states_and_overdue(app, world):
    quanke = world.quanke
    drive_to(world, "accepted")
    late = drive_to(world, "in_review")
    with quanke.db.session() as s:
        s.get(Application, late.id).overdue = True
    client = app.test_client()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    samples = _samples(text)
    assert samples[("quanke_http_request_duration_seconds_count",
                    (("endpoint", "healthz"), ("method", "GET"), ("status", "2xx")))] >= 3
    assert samples[("quanke_applications", (("state", "accepted"),))] == 1
    assert samples[("quanke_applications", (("state", "in_review"),))] == 1
    assert samples[("quanke_applications_overdue", ())] == 1
    assert samples[("quanke_database_up", ())] == 1
    assert ("quanke_outbox_pending", ()) in samples
    # no personal data: neither names nor identity numbers appear
    with quanke.db.session() as s:
        for applicant in s.scalars(select(Applicant)):
            assert applicant.id_number not in text and applicant.name not in text


def test_metrics_token(app, monkeypatch):
    monkeypatch.setenv("QUANKE_METRICS_TOKEN", "s3cret-token")
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


@pytest.mark.redis
def test_metrics_count_rq_jobs(quanke):
    from redis import Redis

    from web import create_app
    prefix = f"quanke-test-{uuid.uuid4().hex[:8]}"
    quanke.config.update(REDIS_URL=REDIS_TEST_URL, QUEUE_PREFIX=prefix)
    quanke.jobs.__init__(quanke)
    try:
        quanke.jobs.enqueue("core.testing.flaky_job", key=f"{prefix}-k")
        text = create_app(quanke=quanke).test_client().get("/metrics").get_data(as_text=True)
        samples = _samples(text)
        queue = f"{prefix}-default"
        assert samples[("quanke_jobs", (("queue", queue), ("registry", "queued")))] == 1
        assert samples[("quanke_jobs", (("queue", queue), ("registry", "failed")))] == 0
        assert samples[("quanke_redis_up", ())] == 1
    finally:
        redis = Redis.from_url(REDIS_TEST_URL)
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)


def test_metrics_survive_a_lost_redis(quanke):
    from web import create_app
    quanke.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    quanke.jobs.__init__(quanke)
    response = create_app(quanke=quanke).test_client().get("/metrics")
    assert response.status_code == 200
    assert _samples(response.get_data(as_text=True))[("quanke_redis_up", ())] == 0
