"""Finding the runtime for hooks the core calls without it (``dashboard_panels``): the
Flask app serving the request, the rq worker running a job, or a runtime bound with
:func:`bind` (scripts, tests)."""
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
