"""Operations endpoints: ``/readyz`` (JSON, 200 or 503) and ``/metrics`` (Prometheus).

Also turns a lost database (``sqlalchemy.exc.OperationalError``: PostgreSQL stopped or
restarting, connection refused) into a clean 503 with ``Retry-After`` instead of a 500.

Metrics: ``quanke_http_request_duration_seconds`` (histogram by endpoint, method and status
class) is recorded per process; with several gunicorn workers set
``PROMETHEUS_MULTIPROC_DIR`` (see ``deploy/gunicorn.conf.py``) and every worker's samples are
merged. Applications by state, overdue applications, outbox backlog, face-check outcomes
and rq jobs queued / started / failed are read from PostgreSQL and Redis at scrape time, so
they are the same whichever worker answers. Labels never carry personal data (endpoint
names, states, statuses only). If ``QUANKE_METRICS_TOKEN`` is set, ``/metrics`` requires
``Authorization: Bearer <token>``.
"""
from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.ops import readiness as ops

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)

try:  # optional at import time: /metrics answers 501 without it
    import prometheus_client
    from prometheus_client import CollectorRegistry, Histogram, generate_latest
    from prometheus_client.core import GaugeMetricFamily
except ImportError:  # pragma: no cover
    prometheus_client = None

REQUEST_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

if prometheus_client is not None:
    REQUEST_LATENCY = Histogram(
        "quanke_http_request_duration_seconds", "Time to answer a request, by Flask endpoint",
        ["endpoint", "method", "status"], buckets=REQUEST_BUCKETS)
else:  # pragma: no cover
    REQUEST_LATENCY = None


def _quanke():
    return current_app.extensions["quanke"]


# -- readiness ---------------------------------------------------------------------------------

@bp.get("/readyz")
def readyz():
    result = ops.readiness(_quanke())
    body = result.to_dict()
    if not _has_token():   # details (driver messages name hosts and ports) only with the metrics token
        body["checks"] = {name: {"ok": check["ok"]} for name, check in body["checks"].items()}
    response = jsonify(body)
    response.status_code = 200 if result.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


# -- database outage → 503 ---------------------------------------------------------------------

@bp.app_errorhandler(OperationalError)
def _database_unavailable(exc: OperationalError):
    log.error("database unavailable on %s %s: %s", request.method, request.endpoint,
              type(exc.orig).__name__ if exc.orig is not None else "OperationalError")
    # Later hooks (security headers, templates) ask for current_user: loading it needs the
    # database again, which would turn this 503 into a 500. Treat the request as anonymous.
    from flask_login import AnonymousUserMixin
    manager = getattr(current_app, "login_manager", None)
    g._login_user = manager.anonymous_user() if manager is not None else AnonymousUserMixin()
    message = "系统暂时无法连接数据库，请稍后再试（您的操作没有保存，请稍后重新提交）"
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify({"error": "service_unavailable", "message": message})
    else:  # no template: rendering one may itself need the database (current user, menu)
        response = Response(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>503 暂停服务</title>"
            f"<h1>503 暂停服务</h1><p>{message}</p></html>", mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = "10"
    response.headers["Cache-Control"] = "no-store"
    return response


# -- request latency ---------------------------------------------------------------------------

@bp.before_app_request
def _start_timer():
    g._ops_started = time.perf_counter()


@bp.after_app_request
def _record_latency(response):
    started = g.pop("_ops_started", None)
    if started is not None and REQUEST_LATENCY is not None and request.endpoint != "ops.metrics":
        REQUEST_LATENCY.labels(endpoint=request.endpoint or "unmatched", method=request.method,
                               status=f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started)
    return response


# -- /metrics ----------------------------------------------------------------------------------

def _render_failures(conn) -> int:
    """Documents not rendered because rendering failed (the failure is kept on the document;
    only unrendered ones are read, normally none)."""
    from sqlalchemy import select

    from core.platform.models import Document
    rows = conn.execute(select(Document.summary).where(Document.sha256 == "").limit(10_000)).scalars()
    return sum(1 for summary in rows if isinstance(summary, dict) and "render_failed" in summary)


class DomainCollector:
    """Gauges read from the database and Redis at scrape time (shared by all workers)."""

    def __init__(self, quanke):
        self.quanke = quanke

    def collect(self):
        quanke = self.quanke
        up = GaugeMetricFamily("quanke_database_up", "1 when the database answered this scrape")
        try:
            with quanke.db.engine.connect() as conn:
                by_state = conn.execute(text(
                    "SELECT state, COUNT(*) FROM applications GROUP BY state")).all()
                overdue = conn.execute(text(
                    "SELECT COUNT(*) FROM applications WHERE overdue")).scalar_one()
                outbox = conn.execute(text(
                    "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")).scalar_one()
                unrendered = _render_failures(conn)
                try:
                    with conn.begin_nested():
                        checks = conn.execute(text(
                            "SELECT status, COUNT(*) FROM identity_face_checks GROUP BY status")).all()
                except Exception:  # noqa: BLE001 - identity tables absent in a slim set-up
                    checks = []
        except Exception as exc:  # noqa: BLE001 - a scrape reports, it never fails
            log.warning("metrics: database unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
        else:
            up.add_metric([], 1)
            yield up
            apps = GaugeMetricFamily("quanke_applications", "Applications by state", labels=["state"])
            for state, count in by_state:
                apps.add_metric([state], count)
            yield apps
            yield GaugeMetricFamily("quanke_applications_overdue",
                                    "Applications flagged overdue (超期)", value=overdue)
            yield GaugeMetricFamily("quanke_outbox_pending",
                                    "Notifications written but not yet sent", value=outbox)
            yield GaugeMetricFamily("quanke_documents_render_failed",
                                    "Documents whose rendering failed (e.g. a character no font has)",
                                    value=unrendered)
            faces = GaugeMetricFamily("quanke_identity_face_checks",
                                      "Remote identity face checks by outcome", labels=["status"])
            for status, count in checks:
                faces.add_metric([status], count)
            yield faces
        if quanke.jobs.inline:
            return
        jobs = GaugeMetricFamily("quanke_jobs", "rq jobs by registry", labels=["queue", "registry"])
        redis_up = GaugeMetricFamily("quanke_redis_up", "1 when Redis answered this scrape")
        try:
            from rq.registry import (FailedJobRegistry, ScheduledJobRegistry,
                                     StartedJobRegistry)
            counts = {(queue.name, registry): count
                      for queue in quanke.jobs.worker_queues()  # every queue workers take from
                      for registry, count in (("queued", queue.count),
                                              ("started", StartedJobRegistry(queue=queue).count),
                                              ("scheduled", ScheduledJobRegistry(queue=queue).count),
                                              ("failed", FailedJobRegistry(queue=queue).count))}
        except Exception as exc:  # noqa: BLE001
            log.warning("metrics: redis unavailable: %s", type(exc).__name__)
            redis_up.add_metric([], 0)
            yield redis_up
            return
        redis_up.add_metric([], 1)
        yield redis_up
        for (name, registry), count in counts.items():
            jobs.add_metric([name, registry], count)
        yield jobs


def _has_token() -> bool:
    token = ops.metrics_token(_quanke())
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _authorised() -> bool:
    """Without a token configured /metrics stays open (development only: a production start
    refuses a missing token, core.ops.readiness.check_production)."""
    return not ops.metrics_token(_quanke()) or _has_token()


@bp.get("/metrics")
def metrics():
    if prometheus_client is None:
        return jsonify({"error": "not_implemented",
                        "message": "未安装 prometheus_client，指标不可用"}), 501
    if not _authorised():
        return jsonify({"error": "unauthorized", "message": "需要指标访问令牌"}), 401
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)
    else:
        process_registry = prometheus_client.REGISTRY
    domain = CollectorRegistry(auto_describe=False)
    domain.register(DomainCollector(_quanke()))
    body = generate_latest(process_registry) + generate_latest(domain)
    return Response(body, content_type=prometheus_client.CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})
