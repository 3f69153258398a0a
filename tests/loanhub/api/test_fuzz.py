"""Schema fuzzing (schemathesis): every operation of the live OpenAPI schema, called
with generated requests as each role, never answers 5xx.

Bounded for the suite: LOANHUB_FUZZ_EXAMPLES examples per operation and role
(default 3; e.g. LOANHUB_FUZZ_EXAMPLES=25 for a longer run)."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import ROLES

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("LOANHUB_FUZZ_EXAMPLES", "3"))


statuses: list[int] = []


def _fuzz(operation, headers: dict, failures: list) -> None:  # noqa: ANN001
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def run(case) -> None:  # noqa: ANN001
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            failures.append((operation.label, response.status_code, case.as_curl_command()))
        elif response.status_code >= 400 and not _error_shaped(response):
            failures.append((operation.label, response.status_code, response.content[:200]))

    run()


def _error_shaped(response) -> bool:  # noqa: ANN001
    try:
        return set(response.json()["error"]) == {"code", "message", "details"}
    except (ValueError, KeyError, TypeError):
        return False


@pytest.fixture
def keep_test_connection():
    """Schemathesis calls the WSGI app directly, so Django's end-of-request hook would
    close the test's database connection (and its transaction) on PostgreSQL; the test
    client disconnects that hook the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx_for_any_role(world, keep_test_connection):
    from loanhub.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking one's own token last, so it does not turn the rest into 401s.
    operations.sort(key=lambda op: op.label == "DELETE /api/v1/auth/tokens/{id}/")
    assert len(operations) >= 30
    failures: list = []
    for role in ROLES:
        key = world.tokens.get(role)
        headers = {"Authorization": f"Token {key}"} if key else {}
        for operation in operations:
            _fuzz(operation, headers, failures)
    print(f"{len(statuses)} requests:", sorted(Counter(statuses).items()))  # noqa: T201
    assert not failures, sorted(set(failures))[:8]
