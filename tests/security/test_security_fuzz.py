"""Schemathesis against every service's OpenAPI document: no 5xx, every response as documented.

Each service is called directly (it checks tokens itself) with a token holding every scope that
service knows, so generated requests reach the handlers rather than stopping at 401/403. Example
counts are kept small so the four services fit in CI's budget; raise LINGTAN_FUZZ_EXAMPLES to dig
deeper on demand.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.auth.scopes import SCOPE_AUDIENCES

EXAMPLES = int(os.environ.get("LINGTAN_FUZZ_EXAMPLES", "8"))
SERVICES = ("accounting", "registry", "certification", "disclosure")


def _scopes(service: str) -> str:
    return " ".join(s for s, audiences in SCOPE_AUDIENCES.items()
                    if service in audiences and s != "notifications:deliver")


@pytest.fixture(scope="module", params=SERVICES)
def fuzzed(request, platform):
    service = request.param
    caller = platform.register(f"org:fuzz-{service}", _scopes(service) or "events:read")
    schema = schemathesis.openapi.from_url(f"{platform.service_url(service)}/openapi.json")
    return schema, platform.service_url(service), caller.headers()


def test_no_server_errors_and_every_response_matches_its_schema(fuzzed):
    schema, base_url, headers = fuzzed
    failures: list[str] = []
    calls: list[int] = []
    operations = [op for op in schema.get_all_operations()]
    assert operations
    for result in operations:
        operation = result.ok()
        if operation.path.endswith("/inbox"):
            continue  # only the services' own clients may deliver; covered by the outbox tests

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            calls.append(1)
            case.call_and_validate(base_url=base_url, headers=headers,
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            given(case=operation.as_strategy())(run)()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:500]}")
    assert failures == [], "\n\n".join(failures)
    assert len(calls) >= len(operations)
