"""The worker process (``quanke worker``): rq worker and cron scheduler, the runtime jobs run
on, and the warm-up that loads fonts, seals and face models before the first job.
"""
from __future__ import annotations

import gc
import logging
import os
from typing import Any

from core.jobs.runner import dotted, resolve

log = logging.getLogger(__name__)


#: The runtime a worker process uses to run jobs (set by :func:`run_worker`).
_worker_runtime = None


def execute(func_path: str, kwargs: dict, pending_marker: str | None = None) -> Any:
    """Entry point rq calls inside the worker.

    ``pending_marker`` is the deduplication key of a job enqueued with a ``job_id``: it is
    removed *before* the work starts, so a change committed from now on enqueues a fresh job
    instead of relying on this one (which may already have read the database).
    """
    func = resolve(func_path)
    clear = None
    if pending_marker:
        from rq import get_current_job
        job = get_current_job()
        if job is not None:
            def clear():
                job.connection.delete(pending_marker)
    if clear is not None and getattr(func, "clears_pending_marker", False):
        kwargs = {**kwargs, "clear_pending": clear}  # the job says when (see audit.seal_job)
    elif clear is not None:
        clear()
    runtime = _worker_runtime
    if runtime is None:  # a worker started by plain `rq worker`: build from the environment
        runtime = _set_worker_runtime()
    from rq import get_current_job

    from core.platform.logs import new_request_id, request_id_var
    job = get_current_job()
    # The request that enqueued the job, so its log lines and the job's share one ID.
    token = request_id_var.set((job.meta.get("request_id") if job else None) or new_request_id())
    try:
        log.info("job %s started", func_path)
        return func(runtime, **kwargs)
    finally:
        request_id_var.reset(token)


def _set_worker_runtime():
    global _worker_runtime
    from core.runtime import Quanke
    _worker_runtime = Quanke()
    return _worker_runtime


def _reset_after_fork() -> None:
    # A forked work horse must not share the parent's DB connections.
    if _worker_runtime is not None:
        _worker_runtime.db.engine.dispose(close=False)


os.register_at_fork(after_in_child=_reset_after_fork)


def warm_up(quanke) -> None:
    """Load what every job would otherwise load again: face models, the CJK font, every
    department's seal (signer cache) and the modules of scheduled jobs.

    Called once at worker start. Each part is optional: a missing font or seal is logged and
    left for the job to report, so the worker still runs the jobs that do not need it.
    """
    try:
        from core.identity.faces import preload
        preload()
    except ImportError:
        pass
    from core.papers import documents, issuance
    for name, load in (("CJK font", documents.cjk_font), ("seals", lambda: issuance.check_seals(quanke))):
        try:
            load()
        except Exception:  # noqa: BLE001 - the render job reports it where it matters
            log.warning("worker warm-up: could not load the %s", name, exc_info=True)
    for entry in quanke.jobs.schedule():
        try:
            resolve(entry["func"])
        except Exception:  # noqa: BLE001 - the job itself will fail visibly
            log.warning("worker warm-up: cannot import %s", entry["func"], exc_info=True)


def worker_class(quanke):
    """The rq worker class for ``WORKER_CLASS`` (config): ``simple`` (default) or ``fork``.

    ``simple`` (rq's ``SimpleWorker``) runs jobs in the worker process itself: fonts, seals and
    database connections stay warm, so a licence is rendered and sealed in a tenth of the
    time a forked work horse needs (bench/business_license_bench.py). Job timeouts still
    apply (SIGALRM in the worker), and a worker killed mid-job leaves the job *started* until
    its job timeout + 60 s have passed; the next registry maintenance then retries it
    (``must_not_lose``) or moves it to the failed registry, as with ``fork``.

    ``fork`` (rq's ``Worker``) runs each job in a forked work horse: a job that crashes the
    interpreter or leaks memory cannot take the worker with it, and a dead worker's job is
    found within the 90 s heartbeat. Choose it for untrusted or crash-prone job code.
    """
    from rq import SimpleWorker, Worker
    choice = (quanke.config.get("WORKER_CLASS") or "simple").lower()
    classes = {"fork": Worker, "simple": SimpleWorker}
    if choice not in classes:
        raise SystemExit(f"WORKER_CLASS 只能是 fork 或 simple（现在是 {choice!r}）")
    return classes[choice]


def run_worker(quanke, *, burst: bool = False, with_cron: bool = True) -> None:
    """Run an rq worker (with rq's scheduler) for this runtime, plus the cron scheduler.

    The worker listens to :meth:`JobRunner.worker_queues` in priority order and loads fonts,
    seals and job modules first (:func:`warm_up`), so forked work horses inherit them.
    """
    global _worker_runtime
    if quanke.jobs.inline:
        raise SystemExit("没有配置 REDIS_URL：任务在请求中直接执行，不需要 worker。")
    _worker_runtime = quanke
    warm_up(quanke)
    cls = worker_class(quanke)
    cron_process = None
    if with_cron and not burst:
        import multiprocessing
        cron_process = multiprocessing.get_context("fork").Process(
            target=_run_cron, args=(quanke,), daemon=True, name="quanke-cron")
        cron_process.start()
    # Objects loaded so far live as long as the worker: keep the garbage collector from
    # touching (and so copying) their pages in every forked work horse.
    gc.freeze()
    try:
        # Check for jobs whose worker died every minute rather than every ten.
        worker = cls(quanke.jobs.worker_queues(), connection=quanke.jobs.redis, maintenance_interval=60)
        worker.work(with_scheduler=True, burst=burst)
    finally:
        if cron_process is not None:
            cron_process.terminate()


def build_cron_scheduler(quanke):
    """rq's cron scheduler with the core's and every plugin's scheduled jobs registered."""
    from rq.cron import CronScheduler
    scheduler = CronScheduler(connection=quanke.jobs.redis, name=f"quanke-cron-{os.getpid()}")
    for entry in quanke.jobs.schedule():
        scheduler.register(execute, quanke.jobs.queue_name,  # scheduled jobs: default queue
                           args=(dotted(entry["func"]), entry.get("kwargs", {})),
                           interval=entry.get("interval"), cron=entry.get("cron"),
                           name=entry["name"])
    return scheduler


def _run_cron(quanke) -> None:
    build_cron_scheduler(quanke).start()
