"""Schema fuzzing (schemathesis): every operation of the live OpenAPI schema, called
with generated requests as each role, never answers 5xx. Every other method on each
path too (OPTIONS, HEAD and the ones the schema does not list), once per path and
role with generated data: those must not fail either.

Bounded for the suite: LOANHUB_FUZZ_EXAMPLES examples per operation and role
(default 3; e.g. LOANHUB_FUZZ_EXAMPLES=25 for a longer run)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import ROLES

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("LOANHUB_FUZZ_EXAMPLES", "3"))


statuses: list[int] = []
methods: Counter = Counter()


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _fuzz(operation, headers: dict, failures: list, other_methods: list[str]) -> None:
    pending = list(other_methods)  # sent once, with the first generated case's data

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def run(case) -> None:
        while pending:
            other = operation.Case(
                method=pending.pop(), path_parameters=case.path_parameters, query=case.query,
                body=case.body, media_type=case.media_type,
            )  # fmt: skip
            _check(other, headers, failures)
        _check(case, headers, failures)

    run()


def _check(case, headers: dict, failures: list) -> None:
    response = case.call(headers=headers)
    statuses.append(response.status_code)
    methods[case.method.upper()] += 1
    label = f"{case.method.upper()} {case.path}"
    if response.status_code >= 500:
        failures.append((label, response.status_code, case.as_curl_command()))
    elif response.status_code >= 400 and not _error_shaped(response):
        failures.append((label, response.status_code, response.content[:200]))


def _other_methods(operations: list) -> dict[str, list[str]]:
    """For the first operation of each path, the methods the schema does not list on
    that path; none for the others (one path, one set)."""
    declared: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    for operation in operations:
        declared[operation.path].add(operation.method.upper())
        first.setdefault(operation.path, operation.label)
    return {
        op.label: [m for m in METHODS if m not in declared[op.path]] if first[op.path] == op.label else []
        for op in operations
    }


def _error_shaped(response) -> bool:
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
    other_methods = _other_methods(operations)
    assert sum(len(m) for m in other_methods.values()) >= len({op.path for op in operations})  # OPTIONS at least
    failures: list = []
    for role in ROLES:
        key = world.tokens.get(role)
        headers = {"Authorization": f"Token {key}"} if key else {}
        for operation in operations:
            _fuzz(operation, headers, failures, other_methods[operation.label])
    print(f"{len(statuses)} requests:", sorted(Counter(statuses).items()), sorted(methods.items()))  # noqa: T201 — summary in the test log
    assert set(methods) == set(METHODS)
    assert not failures, sorted(set(failures))[:8]
