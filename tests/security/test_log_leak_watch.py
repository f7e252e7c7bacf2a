"""The whole-suite watch for personal data in logs and job arguments (core/testing/log_leaks.py):
a test that logs a full ID number or phone, or enqueues a job carrying one, fails; what
production masks passes."""
from __future__ import annotations


from core.testing.log_leaks import personal_data_in


INNER = '''
import logging
import pytest
log = logging.getLogger("quanke.inner")

def echo(quanke, **kwargs):
    return kwargs

def test_logs_masked_data():
    log.warning("applicant %s phone %s", "320102199003071239", "13800000001")

def test_traceback_with_id_is_masked():
    try:
        raise ValueError("no applicant 320102199003071239")
    except ValueError:
        log.exception("lookup failed")

def test_job_with_an_id_number(quanke):
    quanke.jobs.enqueue(echo, id_number="320102199003071239")

def test_job_with_ids_only(quanke):
    quanke.jobs.enqueue(echo, application_id=7)

@pytest.mark.writes_personal_data
def test_marked(quanke):
    quanke.jobs.enqueue(echo, phone="13800000001")
'''


def test_the_watch_finds_full_numbers_only():
    assert personal_data_in("id 320102199003071239 and 13800000001") == ["320102199003071239", "13800000001"]
    assert personal_data_in("320102********1234 138****0001 QK2026112312345678 ab13800000001") == []
    assert personal_data_in("320102199003071235") == []          # check digit wrong: not an ID number


def test_a_job_carrying_personal_data_fails_the_test_that_enqueued_it(pytester):
    pytester.makeconftest('pytest_plugins = ["core.testing", "core.testing.log_leaks"]')
    pytester.makepyfile(INNER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 5 and outcomes.get("errors") == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_job_with_an_id_number*",
                                 "*job *.echo arguments*320102199003071239*"])
