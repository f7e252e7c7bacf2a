"""schemathesis against /api/openapi.json: no generated input may cause a 5xx.

Every operation of the document gets a bounded number of generated requests (valid and
invalid bodies, parameters and paths) with a staff token; any 5xx fails the test.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from core.testing import drive_to

EXAMPLES = 12


def token_for(path: str, tokens: dict) -> str:
    if path.startswith("/api/v1/audit"):
        return tokens["auditor"]
    if path.startswith(("/api/v1/stats", "/api/v1/follow-ups")):
        return tokens["sys_admin"]
    return tokens["acceptor"]  # counter + approver + department lead: the widest staff role


def test_no_server_errors_on_generated_input(web, world, api_tokens):
    for state in ("submitted", "accepted", "in_review", "issued", "correction_requested"):
        drive_to(world, state)  # application ids 1..5 exist in several states
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", web)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        headers = {"Authorization": f"Bearer {token_for(operation.path, api_tokens)}"}

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r:.200} -> "
                                f"{response.status_code} {response.text[:200]}")
        run()
    assert operations >= 40
    assert not failures, "\n".join(failures[:20])
