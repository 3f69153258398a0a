"""The workbench's 当前时限 column shows the clock a lead waits on, and its sort follows it:
the claim deadline while new, the decision deadline once claimed, nothing once closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.matching.models import Lead, LeadStatus
from loanhub.matching.selectors import lead_list_for_staff
from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_leads(bank_a_page):
    now = timezone.now()
    product = product_create(bank_a_page)
    new, claimed, closed = (lead_for(product) for _ in range(3))
    # new: claim due in 2 days; claimed: decision due in 1 day (claim deadline long past);
    # closed: approved, its old deadlines earliest of all.
    Lead.objects.filter(pk=new.pk).update(claim_deadline=now + timedelta(days=2), decision_deadline=now)
    Lead.objects.filter(pk=claimed.pk).update(
        status=LeadStatus.CLAIMED, claim_deadline=now - timedelta(days=5), decision_deadline=now + timedelta(days=1)
    )
    Lead.objects.filter(pk=closed.pk).update(
        status=LeadStatus.APPROVED, claim_deadline=now - timedelta(days=9), decision_deadline=now - timedelta(days=8)
    )
    return [Lead.objects.get(pk=lead.pk) for lead in (new, claimed, closed)]


def test_each_lead_shows_the_deadline_it_waits_on(three_leads):
    new, claimed, closed = three_leads
    assert new.open_deadline == ("受理", new.claim_deadline)
    assert claimed.open_deadline == ("审批", claimed.decision_deadline)
    assert closed.open_deadline is None


def test_sorting_by_deadline_follows_the_shown_deadline(three_leads, officer_a):
    new, claimed, closed = three_leads
    ordered = list(lead_list_for_staff(user=officer_a, filters={"sort": "deadline"}).values_list("pk", flat=True))
    assert ordered == [claimed.pk, new.pk, closed.pk]


def test_the_workbench_column_says_which_clock(client, three_leads, officer_a):
    new, claimed, _closed = three_leads
    client.force_login(officer_a)
    body = client.get(reverse("leads_admin:index") + "?status=&sort=deadline").content.decode()
    local = timezone.localtime
    assert f"<small>审批</small> {local(claimed.decision_deadline):%m-%d %H:%M}" in body
    assert f"<small>受理</small> {local(new.claim_deadline):%m-%d %H:%M}" in body
    assert f"{local(claimed.claim_deadline):%m-%d %H:%M}" not in body  # the claim clock no longer runs
