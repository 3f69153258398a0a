"""Officers claiming one lead over the API at the same moment, each on a database
connection of its own: one wins, the others are told in JSON (409), nobody gets a
server error — on SQLite ("database is locked" was an HTML 500) as on PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection

from .conftest import _staff, client_for, make_token

OFFICERS = 6


@contextmanager
def connections_of_their_own(tmp_path: Path) -> Iterator[None]:
    """New threads open real connections to the test database. On SQLite that
    database lives in memory, where connections share one cache and its table locks
    instead of a file's locking: the committed test data is copied into a file, which
    new connections then open with the settings' OPTIONS as they are (transaction
    mode, busy timeout, PRAGMAs). On PostgreSQL it is a real database already."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "claims.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)  # sqlite3's online backup API
    target.close()
    with mock.patch.dict(connection.settings_dict, NAME=str(path)):
        yield


def in_threads(*work: Callable[[], object]) -> list:
    """Run each callable in its own thread, all released at once; their results."""
    from django.db import connection as thread_connection

    barrier = threading.Barrier(len(work))
    results: list = [None] * len(work)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work[i]()
        finally:
            thread_connection.close()  # the thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _post(key: str, url: str) -> Callable[[], object]:
    client = client_for(key)
    client.raise_request_exception = False  # a 500 is an answer to count, not a crash
    return lambda: client.post(url)


def _outcome(lead_pk: int) -> dict:
    from django.db import connection as thread_connection

    from loanhub.matching.models import Lead, LeadEvent

    lead = Lead.objects.select_related("claimed_by").get(pk=lead_pk)
    outcome = {
        "claimed_by": lead.claimed_by.username,
        "claim_events": LeadEvent.objects.filter(lead_id=lead_pk, kind="claimed").count(),
    }
    if thread_connection.vendor == "sqlite":
        with thread_connection.cursor() as cursor:
            outcome["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    return outcome


@pytest.mark.django_db(transaction=True)
def test_officers_claiming_at_once_one_wins_the_others_get_json_409(world, tmp_path):
    bank = world.lead_a.institution
    officers = [world.users["officer_a"], *(_staff(bank, f"racer_{i}", "officer") for i in range(OFFICERS - 1))]
    keys = [make_token(officer) for officer in officers]
    url = f"/api/v1/leads/{world.lead_a.pk}/claim/"
    with connections_of_their_own(tmp_path):
        responses = in_threads(*(_post(key, url) for key in keys))
        (outcome,) = in_threads(lambda: _outcome(world.lead_a.pk))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: OFFICERS - 1}, [(r.status_code, r.content[:120]) for r in responses]
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"lead_already_claimed"}
    winner = next(o for o, r in zip(officers, responses, strict=True) if r.status_code == 200)
    assert outcome["claimed_by"] == winner.username
    assert outcome["claim_events"] == 1
    if connection.vendor == "sqlite":
        assert outcome["journal_mode"] == "wal"  # the threads were on the file, with the settings' PRAGMAs


def test_sqlite_takes_the_write_lock_at_begin_and_waits_for_it():
    from loanhub.settings.base import sqlite_concurrent

    options = sqlite_concurrent({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]
    assert "OPTIONS" not in sqlite_concurrent({"ENGINE": "django.db.backends.postgresql"})
