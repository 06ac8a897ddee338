"""Property-based fuzzing of the running council services from their OpenAPI document.

Schemathesis reads ``/openapi.json`` of a real server (fresh SQLite database) and sends
generated requests to every operation, with and without the staff token. No request may
cause a server error (5xx), and every documented response must match its schema.
Examples per operation are bounded (``FUZZ_EXAMPLES``) so the run stays short.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.contract.web.conftest import RunningServer, run_server

FUZZ_EXAMPLES = 20
#: Without the token most operations stop at 401, so fewer examples find what there is.
ANONYMOUS_EXAMPLES = 8


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    with run_server(f"sqlite:///{directory / 'fuzz.db'}", directory / "server.log", "sqlite") as s:
        yield s


@pytest.fixture(scope="module")
def api_schema(fuzzed_server: RunningServer):
    schema = schemathesis.openapi.from_url(f"{fuzzed_server.base_url}/openapi.json")
    schema.config.base_url = fuzzed_server.base_url
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


@schema.parametrize()
@_fuzz_settings(ANONYMOUS_EXAMPLES)
def test_anonymous_requests(case, fuzzed_server: RunningServer):
    case.call_and_validate(base_url=fuzzed_server.base_url, checks=CHECKS)


@schema.parametrize()
@_fuzz_settings(FUZZ_EXAMPLES)
def test_requests_with_the_staff_token(case, fuzzed_server: RunningServer):
    case.call_and_validate(
        base_url=fuzzed_server.base_url, headers=fuzzed_server.staff_headers, checks=CHECKS
    )
