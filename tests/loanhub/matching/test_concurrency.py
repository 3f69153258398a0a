"""Two requests at once on the same lead, over two real PostgreSQL connections."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections need PostgreSQL (CI runs it)"),
]


def race(*actions) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action) -> None:
        from loanhub.matching.exceptions import MatchingError

        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except MatchingError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.fixture
def claimed(portal, bank_a_page, officer_a):
    from loanhub.matching.lifecycle import lead_claim
    from tests.factories.cms import product_create
    from tests.loanhub.matching.helpers import lead_for

    return lead_claim(lead=lead_for(product_create(bank_a_page)), officer=officer_a)


def test_approve_and_decline_at_once_one_decision_stands(claimed, officer_a):
    from loanhub.matching.lifecycle import lead_approve, lead_decline
    from loanhub.matching.models import Lead

    def load():
        return Lead.objects.get(pk=claimed.pk)

    outcomes = race(
        lambda: lead_approve(lead=load(), officer=officer_a, amount=100_000, rate=4, term_months=12),
        lambda: lead_decline(lead=load(), officer=officer_a, reasons=["credit"]),
    )
    assert outcomes == ["LeadStateError", "ok"]
    lead = load()
    assert lead.status in ("approved", "declined")
    assert lead.events.filter(kind__in=("approved", "declined")).count() == 1


def test_double_disbursement_records_one(claimed, officer_a):
    from loanhub.matching.lifecycle import lead_approve, lead_disburse
    from loanhub.matching.models import Lead

    lead_approve(lead=claimed, officer=officer_a, amount=100_000, rate=4, term_months=12)
    today = timezone.localdate()
    outcomes = race(
        lambda: lead_disburse(
            lead=Lead.objects.get(pk=claimed.pk), officer=officer_a, amount=100_000, disbursed_on=today
        ),
        lambda: lead_disburse(
            lead=Lead.objects.get(pk=claimed.pk), officer=officer_a, amount=100_000, disbursed_on=today
        ),
    )
    assert outcomes == ["LeadStateError", "ok"]
    assert Lead.objects.get(pk=claimed.pk).events.filter(kind="disbursed").count() == 1
