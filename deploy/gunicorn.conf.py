"""gunicorn configuration for Quanke (全科): ``gunicorn -c deploy/gunicorn.conf.py 'web:create_app()'``.

Every setting can be overridden from the environment (see ``deploy/quanke.env.example``):

* ``QUANKE_BIND`` (default ``127.0.0.1:8000``; the reverse proxy terminates TLS),
* ``QUANKE_WEB_WORKERS`` (default: one per CPU), ``QUANKE_WEB_THREADS`` (default 2),
* ``PROMETHEUS_MULTIPROC_DIR`` (default ``$RUNTIME_DIRECTORY/prometheus`` or a temporary
  directory): request metrics of all workers are merged in ``/metrics``.

Why one worker per CPU with two threads each (measured with ``bench/web_bench.py --compare``
on the idle 2-core machine, 1,000,000 applications, accept over HTTP from 8 clients): a request
here is mostly Python on the CPU, so a few requests in flight keep the cores busy; more
processes only add context switches and lengthen row-lock hold times (a centre's receipt
sequence). Three runs: 2 × 2 threads 162, 148 and 153 accepts/s; 5 sync workers 125, 125 and
150/s; 2 × 4 threads 143/s; 3 × 2 threads 142/s. A second thread lets a worker use the time its
other request waits on PostgreSQL or Redis. Raise ``QUANKE_WEB_THREADS`` only for a deployment
that waits on slow external systems.

Start-up refuses a production deployment with the development secret key or without seal
certificates (``core.ops.readiness.check_production``) and warns when migrations are not current.
No application is preloaded: each worker opens its own database pool after the fork.
"""
import multiprocessing
import os
import shutil
import sys
import tempfile

bind = os.environ.get("QUANKE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUANKE_WEB_WORKERS") or multiprocessing.cpu_count())
threads = int(os.environ.get("QUANKE_WEB_THREADS") or 2)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("QUANKE_WEB_TIMEOUT") or 60)   # PDF rendering is the slowest page
graceful_timeout = 30
keepalive = 5
max_requests = 2000           # recycle workers now and then (bounded memory)
max_requests_jitter = 200
preload_app = False           # database pools must not cross the fork
forwarded_allow_ips = os.environ.get("QUANKE_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190
limit_request_field_size = 8190

# Access log without query strings (they may carry identity numbers or phone numbers):
# %(U)s is the path only. The request id is the response header: the proxy's X-Request-ID
# when sane, else the one the app made (web/security.py), so it matches the app's log lines.
accesslog = os.environ.get("QUANKE_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = ('{"t":"%(t)s","rid":"%({x-request-id}o)s","m":"%(m)s","path":"%(U)s",'
                     '"status":%(s)s,"bytes":"%(B)s","ms":%(M)s}')

_multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if not _multiproc:
    _multiproc = os.path.join(os.environ.get("RUNTIME_DIRECTORY") or tempfile.gettempdir(),
                              f"quanke-prometheus-{os.getuid()}")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _multiproc


def on_starting(server):
    """Before any worker: clean metric files, refuse unfit production configuration."""
    shutil.rmtree(_multiproc, ignore_errors=True)
    os.makedirs(_multiproc, exist_ok=True)
    from core.ops import migrate, readiness as ops
    from core.platform.errors import QuankeError
    from core.runtime import Quanke
    try:
        quanke = Quanke()
    except QuankeError as exc:
        sys.exit(f"Quanke 无法启动：{exc.message}")
    try:
        if ops.is_production(quanke):
            try:
                ops.check_production(quanke)
            except QuankeError as exc:
                sys.exit(f"拒绝以生产模式启动：{exc.message}")
            from core.platform.config import base_url_warnings
            for warning in base_url_warnings(quanke.config):
                server.log.warning(warning)
        try:
            if not migrate.is_current(quanke):
                server.log.warning("数据库迁移不是最新：请运行 `quanke db upgrade`（/readyz 将返回 503）")
        except Exception as exc:  # noqa: BLE001 - the database may come up later; /readyz tells
            server.log.warning("启动时无法检查数据库：%s", type(exc).__name__)
    finally:
        quanke.close()


def child_exit(server, worker):
    try:
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)
    except ImportError:
        pass
