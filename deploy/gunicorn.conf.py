"""gunicorn configuration for Quanke (全科): ``gunicorn -c deploy/gunicorn.conf.py 'web:create_app()'``.

Every setting can be overridden from the environment (see ``deploy/quanke.env.example``):

* ``QUANKE_BIND`` (default ``127.0.0.1:8000``; the reverse proxy terminates TLS),
* ``QUANKE_WEB_WORKERS`` (default ``2 × CPU + 1``), ``QUANKE_WEB_THREADS`` (default 1),
* ``PROMETHEUS_MULTIPROC_DIR`` (default ``$RUNTIME_DIRECTORY/prometheus`` or a temporary
  directory): request metrics of all workers are merged in ``/metrics``.

Why sync workers, 2 × CPU + 1 of them (measured with ``bench/web_bench.py --compare``): a
request here is mostly Python on the CPU (accepting an application: ~80 % CPU, the rest
PostgreSQL and Redis round trips), so a few requests in flight keep 2 cores busy. More in
flight only lengthens row-lock hold times (the audit chain head, a centre's receipt
sequence), and threads make it worse: a gthread worker's thread holding such a lock waits for
the GIL while its siblings run. One run on the shared 2-core machine (load 8–15, so only the
order means anything): 4 sync workers 25 accepts/s, 2 × 4 threads 23/s, 6 sync 12/s, 4 × 2
threads 9/s (p95 3 s); to be re-measured on an idle machine. Sync workers do not keep
connections alive; the reverse proxy does that for the browsers. Raise
``QUANKE_WEB_THREADS`` only for a deployment that waits on slow external systems.

Start-up refuses a production deployment with the development secret key or without seal
certificates (``core.ops.check_production``) and warns when migrations are not current.
No application is preloaded: each worker opens its own database pool after the fork.
"""
import multiprocessing
import os
import shutil
import sys
import tempfile

bind = os.environ.get("QUANKE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUANKE_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("QUANKE_WEB_THREADS") or 1)
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
# %(U)s is the path only. The request id comes from the proxy (X-Request-ID).
accesslog = os.environ.get("QUANKE_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = ('{"t":"%(t)s","rid":"%({x-request-id}i)s","m":"%(m)s","path":"%(U)s",'
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
    from core import migrate, ops
    from core.errors import QuankeError
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
