"""Finding the runtime an ``application_event`` belongs to.

The core calls ``application_event(event)`` without the runtime (:class:`core.runtime.Quanke`)
that made the change, yet reacting means enqueueing a job on that runtime. Until the hook
gets a ``quanke`` argument (asked of the core), the runtime is found where the change was
made: the Flask app serving the request, the rq worker running a job, or a runtime bound
with :func:`bind` (scripts, tests). Whatever is missed is caught up by the scheduled
:func:`plugins.timebank.jobs.certify_pending`, which is idempotent like every job here.
"""
from __future__ import annotations

import weakref

_bound: "list[weakref.ref]" = []


def bind(quanke) -> None:
    """Let the event hook find ``quanke`` when no Flask app or worker is around."""
    unbind(quanke)
    _bound.append(weakref.ref(quanke))


def unbind(quanke) -> None:
    _bound[:] = [r for r in _bound if r() is not None and r() is not quanke]


def current_runtime():
    try:
        from flask import current_app
        runtime = current_app.extensions.get("quanke")
        if runtime is not None:
            return runtime
    except RuntimeError:  # no application context
        pass
    from core import jobs
    worker = getattr(jobs, "_worker_runtime", None)
    if worker is not None:
        return worker
    for ref in reversed(_bound):
        runtime = ref()
        if runtime is not None:
            return runtime
    return None
