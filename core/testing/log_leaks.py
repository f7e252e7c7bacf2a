"""A pytest plugin that watches a whole test run for personal data in logs and job arguments.

PIPL Art. 51 and issue 18: log lines, tracebacks and job arguments never carry a full resident
ID number or mobile number. Every log record of the run is formatted as production writes it
(Quanke's own filters: masking, request ID; the traceback included) and searched for an
unmasked ID number (18 characters passing the GB 11643 check digit) or mainland mobile number;
every job enqueued, inline or on rq, has its arguments searched the same way, unmasked (a job
carries ids, never the data). A test during which one is found fails in its teardown, naming
the line, so the leak is traced to the journey that made it.

Registered by the project's tests/conftest.py (``pytest_plugins = [..., "core.testing.log_leaks"]``);
a plugin's own suite can add it the same way. A test that writes personal data on purpose
(to show the masking works) marks itself ``@pytest.mark.writes_personal_data``.
"""
from __future__ import annotations

import copy
import logging
import re

import pytest
from stdnum.cn import ric

from core.platform.logs import PersonalDataFilter, RequestIdFilter, _formatter

#: 18-character resident ID numbers and mainland mobile numbers standing alone (not inside a
#: longer run of letters and digits such as a hash, a token or an application number).
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])")


def personal_data_in(text: str) -> list[str]:
    """The full ID numbers and mobile numbers in ``text``."""
    found = [m.group(0) for m in _ID_CANDIDATE.finditer(text) if ric.is_valid(m.group(0))]
    return found + [m.group(0) for m in _MOBILE.finditer(text)]


class LeakWatch(logging.Handler):
    """Formats each record as Quanke's handler would (on a copy: other handlers, such as
    pytest's caplog, still get the record as it was) and keeps the lines that leak."""

    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.filters_ = [RequestIdFilter(), PersonalDataFilter()]
        self.setFormatter(_formatter("text"))
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        written = copy.copy(record)
        for f in self.filters_:
            f.filter(written)
        line = self.format(written)
        if personal_data_in(line):
            self.found.append(f"log: {line[:300]}")

    def job(self, path: str, kwargs: dict) -> None:
        text = repr(kwargs)
        if personal_data_in(text):
            self.found.append(f"job {path} arguments: {text[:300]}")


_WATCH = LeakWatch()


def _watch_jobs() -> None:
    """Every job the run enqueues passes through the job runner's two entry points."""
    from core.jobs import runner
    if getattr(runner.JobRunner, "_leak_watched", False):
        return
    real_enqueue, real_many = runner.JobRunner.enqueue, runner.JobRunner.enqueue_many

    def enqueue(self, func, *, must_not_lose=False, job_id=None, **kwargs):
        _WATCH.job(runner.dotted(func), kwargs)
        return real_enqueue(self, func, must_not_lose=must_not_lose, job_id=job_id, **kwargs)

    def enqueue_many(self, calls):
        for call in calls:
            _WATCH.job(runner.dotted(call.func), call.kwargs)
        return real_many(self, calls)

    runner.JobRunner.enqueue, runner.JobRunner.enqueue_many = enqueue, enqueue_many
    runner.JobRunner._leak_watched = True


def pytest_configure(config):
    config.addinivalue_line("markers", "writes_personal_data: the test logs personal data on purpose")
    logging.getLogger().addHandler(_WATCH)
    _watch_jobs()


def pytest_unconfigure(config):
    logging.getLogger().removeHandler(_WATCH)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    found, _WATCH.found = _WATCH.found, []
    if found and item.get_closest_marker("writes_personal_data") is None:
        lines = "\n  ".join(dict.fromkeys(found))
        pytest.fail(f"personal data written where it must never be (PIPL Art. 51):\n  {lines}", pytrace=False)
