"""The lead list's fast rows say exactly what LeadOutputSerializer says."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from loanhub.api.apis.leads import LeadOutputSerializer
from loanhub.api.lead_rows import CountedRows, lead_rows
from loanhub.api.selectors import EVENT_FIELDS, lead_page_events, lead_values
from loanhub.matching.judgements import leads_with_judgements
from loanhub.matching.lifecycle import lead_approve, lead_claim, lead_decline, lead_disburse
from loanhub.matching.models import FinancingNeed, Lead, LeadEvent
from loanhub.matching.selectors import lead_list_for_staff
from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db


def plain(data: object) -> object:
    return json.loads(json.dumps(data, default=str))


def test_rows_match_the_serializer_for_every_kind_of_lead(bank_a_page, officer_a):
    new = lead_for(product_create(bank_a_page))
    declined = lead_claim(lead=lead_for(product_create(bank_a_page)), officer=officer_a)
    lead_decline(lead=declined, officer=officer_a, reasons=["credit", "materials"], note="补充流水")
    paid = lead_claim(lead=lead_for(product_create(bank_a_page)), officer=officer_a)
    paid = lead_approve(lead=paid, officer=officer_a, amount=300_000, rate="3.85", term_months=12)
    lead_disburse(lead=paid, officer=officer_a, amount=300_000, disbursed_on=timezone.localdate())
    queryset = lead_list_for_staff(user=officer_a)
    fast = lead_rows(list(lead_values(queryset)))
    leads = leads_with_judgements(
        list(queryset.prefetch_related("events__actor")), viewer=officer_a, channel="api", detail="", log=False
    )
    slow = LeadOutputSerializer(leads, many=True).data
    assert len(fast) == len(slow) == Lead.objects.count()
    assert plain(fast) == plain(slow)
    assert {new.pk, declined.pk, paid.pk} <= {row["id"] for row in fast}
    assert {row["status"] for row in fast} >= {"new", "declined", "disbursed"}
    assert Lead.objects.get(pk=paid.pk).status == "disbursed"


def test_page_rows_fetched_by_id_equal_values_in_the_lists_order(bank_a_page, officer_a):
    """The lead list pages over bare ids, then fetches the page's rows by id (on
    PostgreSQL with its own SQL): it returns what ``values()`` over the ranked list
    returns (JSON lists, decimals, aware datetimes), in the list's order, for pages of
    different sizes and on repeated calls."""
    for n in range(5):
        lead = lead_for(product_create(bank_a_page))
        if n % 2:
            lead_decline(lead=lead_claim(lead=lead, officer=officer_a), officer=officer_a, reasons=["credit"], note="")
        FinancingNeed.objects.filter(pk=lead.need_id).update(collateral_offered=["property", "equipment"][: n % 3])
    queryset = lead_list_for_staff(user=officer_a)
    expected = list(lead_values(queryset))
    rows = CountedRows(queryset)
    total = rows.count()
    assert total == len(expected) >= 5
    for _ in range(2):  # the second round runs on PostgreSQL's prepared statements
        assert rows[0:total] == expected
        assert rows[1:3] == expected[1:3]
        assert rows[total - 2 : total + 3] == expected[-2:]
    assert rows[total : total + 5] == []
    assert isinstance(expected[0]["created_at"], datetime.datetime) and expected[0]["created_at"].tzinfo is not None
    assert {len(row["need__collateral_offered"]) for row in expected} == {0, 1, 2}
    assert any(row["decline_reasons"] == ["credit"] for row in expected)
    assert any(row["judgement_categories"] for row in expected)


def test_page_events_equal_values_list_oldest_first(bank_a_page, officer_a):
    leads = [lead_claim(lead=lead_for(product_create(bank_a_page)), officer=officer_a) for _ in range(3)]
    lead_decline(lead=leads[0], officer=officer_a, reasons=["credit"], note="流水不足")
    ids = [lead.pk for lead in leads]
    expected = list(LeadEvent.objects.filter(lead_id__in=ids).order_by("at", "pk").values_list(*EVENT_FIELDS))
    assert [tuple(row) for row in lead_page_events(ids=ids)] == expected
    assert len(expected) >= 4 and any(row[-1] == officer_a.username for row in expected)
    assert lead_page_events(ids=[]) == [] and lead_page_events(ids=[10**9]) == []


def test_a_page_of_rows_takes_four_queries_whatever_its_size(bank_a_page, officer_a, django_assert_num_queries):
    """The page's ids, their rows, their events, the authorizations covering them: no
    query per lead."""
    for _ in range(4):
        lead_claim(lead=lead_for(product_create(bank_a_page)), officer=officer_a)
    rows = CountedRows(lead_list_for_staff(user=officer_a))
    with django_assert_num_queries(4):
        page = lead_rows(rows[0:4])
    assert len(page) == 4 and all(row["events"] for row in page)
