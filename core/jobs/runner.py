"""Background jobs: rq on Redis when ``REDIS_URL`` is set, inline otherwise.

Job functions are named by dotted path and take the runtime as first argument plus keyword
arguments only: ``def sweep_overdue(quanke, *, day=None)``. State lives in the database, so
every job must be idempotent: a retried job (``must_not_lose=True`` adds rq's ``Retry``)
finds its work done and does nothing.
"""
from __future__ import annotations
import importlib
import logging
from dataclasses import dataclass, field
from typing import Callable
log = logging.getLogger(__name__)


RETRY_INTERVALS = [5, 30, 120]


#: Queue names (after ``<QUEUE_PREFIX>-``) in the order workers take jobs from them: what a
#: person at the counter waits for (a licence or certificate being sealed) comes before
#: notifications, receipts, letters and sweeps.
QUEUES = ("documents-high", "default")


#: Jobs that do not go to ``default``: dotted job path → dotted ``func(quanke, **kwargs)``
#: returning the queue name for that job.
ROUTES = {"core.papers.issuance.render_document": "core.papers.issuance.render_queue"}


#: Jobs the core schedules itself; plugins add theirs via ``register_jobs``.
CORE_SCHEDULE = [
    {"name": "overdue-sweep", "func": "core.approval.overdue.sweep_overdue", "cron": "5 0 * * *"},
    {"name": "outbox-dispatch", "func": "core.jobs.outbox.dispatch_pending", "interval": 60},
    {"name": "expired-corrections", "func": "core.approval.rules.withdraw_expired_corrections",
     "cron": "15 0 * * *"},
    {"name": "deemed-acceptance", "func": "core.acceptance.deemed.deem_accepted_unnoticed",
     "cron": "10 0 * * *"},
    {"name": "purge-face-photos", "func": "core.identity.enrolment.purge_expired_photos",
     "cron": "30 0 * * *"},
    {"name": "recover-face-checks", "func": "core.identity.verification.recover_stale_checks",
     "interval": 60},
    # Safety net for the sealer that runs after each audited commit (a process may die between).
    {"name": "audit-seal", "func": "core.platform.audit.seal_job", "interval": 60},
]


#: How long a deduplication marker lives at most: if its job was lost (Redis flushed, enqueue
#: failed half-way), the same job id can be enqueued again after this.
DEDUP_TTL = 600


def resolve(func: str | Callable) -> Callable:
    if callable(func):
        return func
    module, _, name = func.rpartition(".")
    return getattr(importlib.import_module(module), name)


def dotted(func: str | Callable) -> str:
    return func if isinstance(func, str) else f"{func.__module__}.{func.__qualname__}"


@dataclass
class Call:
    """One job to enqueue (see :meth:`JobRunner.enqueue_many`)."""

    func: str | Callable
    kwargs: dict = field(default_factory=dict)
    must_not_lose: bool = False
    job_id: str | None = None
    #: The id names work that cannot be pending yet (a document just recorded): no marker.
    new: bool = False


#: The audit sealer's job (:mod:`core.platform.audit`); one pending at a time.
SEAL_CALL = Call("core.platform.audit.seal_job", job_id="audit-seal")


class JobRunner:
    """Enqueues jobs for one runtime."""

    def __init__(self, quanke):
        self.quanke = quanke
        self.redis_url = quanke.config.get("REDIS_URL")
        self.queue_name = f"{quanke.config['QUEUE_PREFIX']}-default"
        self._redis = None
        self._queue = None
        self._named: dict = {}
        # with Redis the audit chain is sealed on a worker, not in the request (core.platform.audit)
        quanke.db.audit_sealer = None if self.inline else self.request_audit_seal

    @property
    def inline(self) -> bool:
        return not self.redis_url

    @property
    def redis(self):
        if self._redis is None:
            from redis import Redis
            self._redis = Redis.from_url(self.redis_url)
        return self._redis

    @property
    def queue(self):
        if self._queue is None:
            from rq import Queue
            self._queue = Queue(self.queue_name, connection=self.redis)
        return self._queue

    def enqueue(self, func: str | Callable, *, must_not_lose: bool = False,
                job_id: str | None = None, **kwargs):
        """Run ``func(quanke, **kwargs)`` now (inline) or on a worker (rq).

        ``job_id`` deduplicates: the same id enqueued twice runs once while pending.
        Returns the function's result inline, the rq Job otherwise.
        """
        if self.inline:
            return resolve(dotted(func))(self.quanke, **kwargs)
        return self.enqueue_many([Call(func, kwargs, must_not_lose=must_not_lose,
                                       job_id=job_id)])[0]

    def enqueue_many(self, calls: "list[Call]") -> list:
        """Several :meth:`enqueue` calls in one Redis round trip (two when a deduplicated job
        turns out not to be pending yet).

        Inline, each runs in turn; one that raises is logged and the rest still run (the
        callers are after-commit steps whose work is also swept up by schedules).
        Deduplication is a ``SET NX`` marker per job id, removed when the job starts, so no
        job has to be fetched to learn whether it is still pending. A call marked ``new``
        (its id names work that cannot be pending yet) skips the check and is enqueued in
        the same round trip as the markers are set.
        """
        if self.inline:
            results = []
            for call in calls:
                try:
                    results.append(resolve(dotted(call.func))(self.quanke, **call.kwargs))
                except Exception:  # noqa: BLE001 - see docstring
                    log.exception("job %s failed", dotted(call.func))
                    results.append(None)
            return results
        from rq.job import Job
        prefix = self.quanke.config["QUEUE_PREFIX"]
        # job ids are global in Redis: keep deployments (and test runs) apart
        ids = [f"{prefix}-{c.job_id}" if c.job_id else None for c in calls]
        markers = [f"{prefix}-pending:{i}" if i and not c.new else None for c, i in zip(calls, ids)]
        datas = [self._prepare(call, job_id, marker) for call, job_id, marker in zip(calls, ids, markers)]
        wanted = [m for m in markers if m]
        pipe = self.redis.pipeline(transaction=False)
        for marker in wanted:
            pipe.set(marker, 1, nx=True, ex=DEDUP_TTL)
        jobs: list = [None] * len(calls)
        self._enqueue_routed([(i, d) for i, (d, m) in enumerate(zip(datas, markers)) if m is None],
                             jobs, pipe)
        try:
            answers = iter(pipe.execute()[:len(wanted)])
        except Exception:
            self._forget(wanted)
            raise
        fresh = [bool(next(answers)) if m else False for m in markers]
        if any(fresh):
            try:
                self._enqueue_routed([(i, datas[i]) for i, new in enumerate(fresh) if new], jobs)
            except Exception:
                self._forget([m for m, new in zip(markers, fresh) if new])
                raise
        return [job if job is not None else Job(job_id, connection=self.redis)
                for job, job_id in zip(jobs, ids)]

    def _prepare(self, call: Call, job_id: str | None, marker: str | None):
        from rq import Queue, Retry

        from core.platform.logs import current_request_id
        retry = None
        if call.must_not_lose:
            intervals = list(self.quanke.config.get("JOB_RETRY_INTERVALS") or RETRY_INTERVALS)
            retry = Retry(max=len(intervals), interval=intervals)
        path = dotted(call.func)
        # The request that enqueues the job: its log lines and the job's share one ID.
        meta = {"request_id": current_request_id()} if current_request_id() else None
        return self.queue_for(path, call.kwargs), Queue.prepare_data(
            "core.ops.worker.execute", args=(path, call.kwargs, marker), job_id=job_id,
            result_ttl=3600, failure_ttl=7 * 86400, retry=retry, meta=meta)

    def _forget(self, markers: list[str]) -> None:
        """Remove markers whose jobs may not have been enqueued, so the next attempt enqueues
        them (their TTL is the fallback)."""
        try:
            if markers:
                self.redis.delete(*markers)
        except Exception:  # noqa: BLE001 - Redis is down: the original error matters
            pass

    def _enqueue_routed(self, items: list, jobs: list, pipe=None) -> None:
        """Enqueue ``(index, (queue, data))`` items into ``jobs[index]``, every queue in one
        pipeline: ``pipe`` when given (the caller executes it), else one executed here."""
        own = pipe is None
        if own:
            if not items:
                return
            pipe = self.redis.pipeline(transaction=False)
        by_queue: dict = {}
        for index, (queue, data) in items:
            by_queue.setdefault(queue.name, (queue, []))[1].append((index, data))
        for queue, queued in by_queue.values():
            for (index, _), job in zip(queued, queue.enqueue_many([d for _, d in queued],
                                                                   pipeline=pipe)):
                jobs[index] = job
        if own:
            pipe.execute()

    def request_audit_seal(self) -> None:
        """After an audited commit: have a worker seal the audit chain (deduplicated)."""
        self.enqueue_many([SEAL_CALL])

    def named_queue(self, name: str):
        """The rq queue ``<QUEUE_PREFIX>-<name>`` (``default`` is :attr:`queue`)."""
        if name == "default":
            return self.queue
        if name not in QUEUES:
            raise ValueError(f"unknown queue {name!r}")
        if name not in self._named:
            from rq import Queue
            self._named[name] = Queue(f"{self.quanke.config['QUEUE_PREFIX']}-{name}",
                                      connection=self.redis)
        return self._named[name]

    def queue_for(self, path: str, kwargs: dict):
        """The queue a job goes to (:data:`ROUTES`; ``default`` when not routed or on error)."""
        route = ROUTES.get(path)
        if route is None:
            return self.queue
        try:
            return self.named_queue(resolve(route)(self.quanke, **kwargs))
        except Exception:  # noqa: BLE001 - a routing problem must not lose the job
            log.exception("routing %s failed; queued on default", path)
            return self.queue

    def worker_queues(self) -> list:
        """The queues a worker listens to, highest priority first (:data:`QUEUES`)."""
        return [self.named_queue(name) for name in QUEUES]

    def schedule(self) -> list[dict]:
        return list(CORE_SCHEDULE) + self.quanke.plugins.collect("register_jobs")

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
