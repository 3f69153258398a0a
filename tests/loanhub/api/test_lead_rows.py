"""The lead list's fast rows say exactly what LeadOutputSerializer says."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from loanhub.api.apis.leads import LeadOutputSerializer
from loanhub.api.lead_rows import lead_rows, lead_values
from loanhub.matching.lifecycle import lead_approve, lead_claim, lead_decline, lead_disburse
from loanhub.matching.models import Lead
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
    slow = LeadOutputSerializer(list(queryset.prefetch_related("events__actor")), many=True).data
    assert len(fast) == len(slow) == Lead.objects.count()
    assert plain(fast) == plain(slow)
    assert {new.pk, declined.pk, paid.pk} <= {row["id"] for row in fast}
    assert {row["status"] for row in fast} >= {"new", "declined", "disbursed"}
    assert Lead.objects.get(pk=paid.pk).status == "disbursed"
