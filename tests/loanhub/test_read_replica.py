"""Statistics and exports read from the read replica when one is configured; writes never go there.

The alias ``replica`` is a TEST MIRROR of the test database (settings/test.py), so the data is the
same and each connection's queries can be told apart (CaptureQueriesContext). The tests commit
(transaction=True): the mirror is a second connection, which sees only committed rows, as a
real standby does.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loanhub.accounts.models import Role
from loanhub.audit.models import AuditEvent, AuditKind, Outcome
from loanhub.matching.models import Lead
from loanhub.replica import ReplicaRouter, read_alias, replica_reads
from loanhub.stats import selectors as stats
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.portal_fixtures import *  # noqa: F403 — shared portal fixtures
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])


@pytest.fixture
def replica(settings):
    settings.LOANHUB_READ_REPLICA = "replica"
    return "replica"


@pytest.fixture
def admin_client(client, portal):
    client.force_login(UserFactory(username="replica_admin", role=Role.PLATFORM_ADMIN, is_superuser=True))
    return client


def selects_of(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    ]


def test_without_a_replica_statistics_read_from_the_primary(bank_a_page):
    lead_for(product_create(bank_a_page, title="甲信用贷"))
    assert read_alias() == DEFAULT_DB_ALIAS
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        figures = stats.headline()
    assert figures.leads == 1
    assert selects_of(on_default, "matching_lead")
    assert not on_replica.captured_queries


def test_with_a_replica_statistics_read_from_it_and_nothing_from_the_primary(replica, bank_a_page):
    lead_for(product_create(bank_a_page, title="甲信用贷"))
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        figures = stats.headline()
        table = stats.breakdown("bank")
        stats.model_health()
    assert figures.leads == 1 and figures.enterprises >= 1
    assert list(table["leads"]) == [1]
    assert len(selects_of(on_replica, "matching_lead")) >= 2
    assert selects_of(on_replica, "enterprises_enterprise")
    assert selects_of(on_replica, "scoring_modelversion")
    assert not on_default.captured_queries


def test_loan_outcome_statistics_read_from_the_replica(replica, bank_a_page):
    from loanhub.stats import outcomes

    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        outcomes.outcome_headline()
        outcomes.outcome_breakdown("bank")
        outcomes.calibration_by_grade()
    assert len(selects_of(on_replica, "loans_loan")) >= 2
    assert not on_default.captured_queries


def test_the_statistics_export_reads_the_replica(replica, admin_client, bank_a_page):
    lead_for(product_create(bank_a_page, title="甲信用贷"))
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        response = admin_client.get(reverse("stats_admin:export"), {"by": "bank"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[1][1] == "1"  # one lead, read through the replica
    assert selects_of(on_replica, "matching_lead")
    assert not selects_of(on_default, "matching_lead")


def test_the_streamed_audit_export_reads_the_replica(replica, admin_client):
    AuditEvent.objects.create(kind=AuditKind.LOGIN_FAILED, outcome=Outcome.FAILURE, username="someone")
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        response = admin_client.get(reverse("audit_admin:export"), {"kind": "login_failed"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row["username"] for row in csv.DictReader(io.StringIO(text, newline=""))] == ["someone"]
    assert selects_of(on_replica, "audit_auditevent")
    assert not selects_of(on_default, "audit_auditevent")


def test_the_lead_export_reads_the_leads_from_the_replica(replica, client, officer_a, bank_a_page):
    lead = lead_for(product_create(bank_a_page, title="甲信用贷"))
    client.force_login(officer_a)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        response = client.get(reverse("leads_admin:export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == [str(lead.pk)]
    assert selects_of(on_replica, "matching_lead")
    assert not [sql for sql in selects_of(on_default, "matching_lead") if "LIMIT 10000" in sql.upper()]


def test_writes_go_to_the_primary_even_for_an_object_read_from_the_replica(replica, bank_a_page):
    lead_for(product_create(bank_a_page, title="甲信用贷"))
    with replica_reads() as alias:
        lead = Lead.objects.get()
        assert alias == "replica" and lead._state.db == "replica"
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
        ):
            lead.is_overdue = True
            lead.save(update_fields=["is_overdue"])
    assert any(q["sql"].startswith("UPDATE") for q in on_default.captured_queries)
    assert not on_replica.captured_queries
    assert Lead.objects.using(DEFAULT_DB_ALIAS).get().is_overdue is True


def test_the_router_never_writes_or_migrates_on_the_replica(replica):
    router = ReplicaRouter()
    assert router.db_for_write(Lead) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Lead) is None  # outside a replica_reads() block: Django's default
    with replica_reads():
        assert router.db_for_read(Lead) == "replica"
        assert router.db_for_write(Lead) == DEFAULT_DB_ALIAS
    assert router.allow_migrate("replica", "matching") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "matching") is None


def test_database_replica_url_adds_the_replica_alias(monkeypatch):
    from loanhub.settings.base import read_replica

    databases = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "loanhub", "CONN_MAX_AGE": 60}}
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    assert read_replica(dict(databases)) is None
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://loanhub:secret@pg-replica:5432/loanhub")
    assert read_replica(databases) == "replica"
    assert databases["replica"]["HOST"] == "pg-replica"
    assert databases["replica"]["NAME"] == "loanhub"
    assert databases["replica"]["CONN_MAX_AGE"] == 60
