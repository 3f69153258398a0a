"""A loan the way the platform makes one: a lead claimed, approved and disbursed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from loanhub.loans.models import Loan
from loanhub.matching.lifecycle import lead_approve, lead_claim, lead_disburse
from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for


def loan_create(bank_page, officer, *, amount: int = 400_000, disbursed_on: date | None = None, **product) -> Loan:
    """A 12-month loan of ``amount`` 元 at 3.90 % from a fresh product of ``bank_page``'s bank.

    ``disbursed_on`` may be in the past (the approval is then back-dated to allow it).
    """
    fields = {"title": "贷后测试产品", "amount_min": Decimal("100000"), "amount_max": Decimal("5000000"), **product}
    lead = lead_claim(lead=lead_for(product_create(bank_page, **fields)), officer=officer)
    lead = lead_approve(lead=lead, officer=officer, amount=amount, rate="3.90", term_months=12)
    day = disbursed_on or timezone.localdate()
    if day < timezone.localdate():
        type(lead).objects.filter(pk=lead.pk).update(
            decided_at=timezone.now() - timedelta(days=(timezone.localdate() - day).days + 1)
        )
    lead_disburse(lead=lead, officer=officer, amount=amount, disbursed_on=day)
    return Loan.objects.get(lead=lead)
