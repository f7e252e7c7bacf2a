"""schemathesis with its conformance checks on the core and plugin APIs (issue 22 #9).

For every operation of /api/openapi.json: the deterministic coverage cases (valid and invalid
values at the edges, missing fields, unknown fields, undeclared methods such as TRACE) and a
few generated valid and invalid requests, each validated by ``CHECKS``: no 5xx, a documented
status and content type, a body matching the documented schema, invalid data refused with a
4xx, valid data not refused with 400, undeclared methods answered 405. Bounded so the file
runs in well under two minutes.
"""
from __future__ import annotations

import itertools
import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import GenerationConfig
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import CoverageScenario
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, positive_data_acceptance,
    response_schema_conformance, status_code_conformance, unsupported_method)
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

from core.testing import drive_to

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection, positive_data_acceptance,
          unsupported_method]
#: ``SCHEMATHESIS_SCALE=5`` for a longer hunt by hand; the suite runs scale 1 (< 2 minutes)
SCALE = int(os.environ.get("SCHEMATHESIS_SCALE", "1"))
COVERAGE_CASES = 20 * SCALE   # per operation, plus each undeclared method
MAX_COVERAGE_SCAN = 400 * SCALE
FUZZ_EXAMPLES = 4 * SCALE     # per operation and mode


def token_for(path: str, tokens: dict) -> str:
    if path.startswith("/api/v1/audit"):
        return tokens["auditor"]
    if path.startswith(("/api/v1/stats", "/api/v1/follow-ups")):
        return tokens["sys_admin"]
    return tokens["acceptor"]  # counter + approver + department lead: the widest staff role


#: Codes a view gives a body or query of the wrong shape. A schema-valid request refused with
#: one of these means the document is looser than the server — a failure. Any other 400 is a
#: business rule the document cannot express (an ID number's checksum, a reason "too short
#: to mean anything" after trimming, a state), which positive_data_acceptance cannot tell
#: apart from a shape error; those are let through here and nowhere else.
SHAPE_CODES = {"invalid_request", "invalid_json", "invalid_field", "not_integer", "invalid_pagination",
               "invalid_volunteers", "minutes_not_integer", "minutes_invalid"}


def _business_rule_refusal(failure, response) -> bool:
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return False
    try:
        code = response.json().get("error")
    except ValueError:   # not JSON: not one of our error bodies
        return False
    return code not in SHAPE_CODES


METHODS_SENT: set[str] = set()


def _check(case, headers, failures):
    METHODS_SENT.add(case.method.upper())
    response = case.call(headers=headers)
    try:
        case.validate_response(response, checks=CHECKS)
    except (AssertionError, FailureGroup) as exc:   # a check failed
        found = list(exc.exceptions) if isinstance(exc, FailureGroup) else [exc]
        found = [f for f in found if not _business_rule_refusal(f, response)]
        if not found:
            return
        kinds = sorted({f"{getattr(f, 'code', '')} {getattr(f, 'title', type(f).__name__)}" for f in found})
        failures.append(f"{case.method} {case.operation.path} [{'; '.join(kinds)}] "
                        f"{case.formatted_path} body={case.body!r:.160} query={case.query!r:.400} "
                        f"-> {response.status_code} {response.text[:160]}")


def run_schema(web, api_tokens, prefix_filter=lambda path: True):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", web)
    failures, operations = [], 0
    config = GenerationConfig(modes=list(GenerationMode), deterministic=True)
    for result in schema.get_all_operations():
        operation = result.ok()
        if not prefix_filter(operation.path):
            continue
        operations += 1
        headers = {"Authorization": f"Bearer {token_for(operation.path, api_tokens)}"}
        cases = schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode),
                                           generation_config=config)
        for n, case in enumerate(itertools.islice(cases, MAX_COVERAGE_SCAN)):
            scenario = getattr(case.meta.phase.data, "scenario", None)
            if n < COVERAGE_CASES or scenario == CoverageScenario.UNSPECIFIED_HTTP_METHOD:
                _check(case, headers, failures)   # every undeclared method (TRACE…) is tried
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, failures)
    return operations, failures


def _fuzz(operation, mode, headers, failures):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        _check(case, headers, failures)
    run()


def _world_in_states(world):
    for state in ("submitted", "accepted", "in_review", "issued", "correction_requested"):
        drive_to(world, state)  # application ids 1..5 exist in several states


def test_core_api_conforms_to_its_document(web, world, api_tokens):
    _world_in_states(world)
    operations, failures = run_schema(web, api_tokens, lambda p: p.split("/")[3] in CORE_TOPS)
    assert operations >= 40 and "TRACE" in METHODS_SENT   # the undeclared methods were tried
    assert not failures, _summary(failures)


def test_plugin_apis_conform_to_the_document(web, world, api_tokens):
    _world_in_states(world)
    operations, failures = run_schema(web, api_tokens, lambda p: p.split("/")[3] not in CORE_TOPS)
    assert operations >= 5
    assert not failures, _summary(failures)


CORE_TOPS = {"me", "services", "applicants", "applications", "queues", "enquiries", "tickets",
             "stats", "audit", "ratings", "follow-ups", "appeals"}


def _summary(failures: list[str]) -> str:
    """Each operation and kind of failure once, with a count and one example."""
    groups: dict = {}
    for line in failures:
        key = line.split(" /api/v1/", 2)
        key = line[:line.index("]") + 1] if "]" in line else line
        groups.setdefault(key, []).append(line)
    return f"{len(failures)} failures\n" + "\n".join(
        f"{len(v)}x {v[0][:400]}" for k, v in sorted(groups.items()))
