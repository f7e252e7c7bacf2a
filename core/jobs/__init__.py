"""Background jobs: rq on Redis when ``REDIS_URL`` is set, inline otherwise.

Job functions are named by dotted path and take the runtime as first argument plus keyword
arguments only: ``def sweep_overdue(quanke, *, day=None)``. State lives in the database, so
every job must be idempotent: a retried job (``must_not_lose=True`` adds rq's ``Retry``)
finds its work done and does nothing.

* :mod:`~core.jobs.runner` — enqueuing (or running inline) and the schedule;
* :mod:`~core.jobs.outbox` — notifications written with the state change, sent later;
* the worker process itself is :mod:`core.ops.worker`.
"""
from core.jobs.runner import (CORE_SCHEDULE, DEDUP_TTL, QUEUES, RETRY_INTERVALS, ROUTES, SEAL_CALL, Call,
                              JobRunner, dotted, resolve)

__all__ = ["CORE_SCHEDULE", "DEDUP_TTL", "QUEUES", "RETRY_INTERVALS", "ROUTES", "SEAL_CALL", "Call",
           "JobRunner", "dotted", "resolve"]
