"""Statistics never swallow an absurd figure: an amount outside its product's range (or a
disbursement above its approval) is left out of every sum and shown as flagged."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.accounts.models import Role
from loanhub.matching.models import Lead, LeadStatus
from loanhub.stats.selectors import breakdown, headline, lead_frame
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db


def disbursed(lead: Lead, approved: int, paid: int) -> Lead:
    """A disbursement as recorded before the checks existed (straight into the table)."""
    Lead.objects.filter(pk=lead.pk).update(
        status=LeadStatus.DISBURSED, approved_amount=approved, disbursed_amount=paid,
        approved_rate=Decimal("3.90"), approved_term=12, disbursed_on=timezone.localdate(),
    )  # fmt: skip
    return lead


@pytest.fixture
def leads(bank_a_page):
    """Three disbursed leads on a 10–100万元 product: 40万 (plausible), 150 元 (a unit slip),
    and 60万 paid on a 30万 approval."""
    product = product_create(bank_a_page, title="甲信用贷", amount_min=Decimal("100000"), amount_max=Decimal("1000000"))
    return {
        "ok": disbursed(lead_for(product), 400_000, 400_000),
        "slip": disbursed(lead_for(product), 150, 150),
        "over": disbursed(lead_for(product), 300_000, 600_000),
    }


def test_implausible_amounts_are_left_out_of_the_totals_and_flagged(leads):
    top = headline(lead_frame())
    assert top.disbursed == 3  # the loans happened; only their amounts are in doubt
    assert top.disbursed_amount == 400_000.0
    assert top.flagged == 2
    assert set(top.flagged_leads) == {leads["slip"].pk, leads["over"].pk}
    row = breakdown("bank", lead_frame()).iloc[0]
    assert row["amount"] == 400_000.0 and row["flagged"] == 2


def test_a_plausible_world_has_nothing_flagged(bank_a_page):
    product = product_create(bank_a_page, title="甲信用贷", amount_min=Decimal("100000"), amount_max=Decimal("1000000"))
    disbursed(lead_for(product), 500_000, 500_000)
    top = headline(lead_frame())
    assert top.disbursed_amount == 500_000.0 and top.flagged == 0


def test_the_dashboard_and_export_say_so_in_wan(client, leads):
    client.force_login(UserFactory(username="stats_admin", role=Role.PLATFORM_ADMIN, is_superuser=True))
    page = client.get(reverse("stats_admin:dashboard")).content.decode()
    assert "有 2 条线索的批准或放款金额不在所属产品的额度范围内" in page
    assert f"线索 #{leads['slip'].pk}" in page
    response = client.get(reverse("stats_admin:export"), {"by": "bank"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0][6] == "放款金额（万元）" and rows[0][-1] == "金额存疑笔数（未计入金额）"
    assert rows[1][6] == "40.00" and rows[1][-1] == "2"


def test_the_banks_scorecard_leaves_implausible_amounts_out_too(leads):
    from loanhub.matching.scorecard import bank_scorecard

    (card,) = bank_scorecard()
    assert card.disbursed_count == 3 and card.disbursed_amount == 400_000.0
