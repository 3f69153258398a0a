"""Counting and repair rules at each period boundary (DESIGN.md §3)."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.rules import dishonest_listing_live, record_counts, repair_eligibility

DECIDED = date(2025, 1, 15)


def penalty(severity: str, **payload: object) -> CreditRecord:
    return CreditRecord(
        uscc="x", category="penalty", record_date=DECIDED,
        payload={"issuer": "局", "severity": severity, **payload},
    )  # fmt: skip


def at(months: int, days: int = 0) -> date:
    return DECIDED + relativedelta(months=months) + relativedelta(days=days)


def test_minor_penalty_never_counts_nor_needs_repair():
    record = penalty("轻微")
    assert not record_counts(record, at(0, 1))
    assert not repair_eligibility(record, at(6)).allowed


@pytest.mark.parametrize(("severity", "max_months"), [("一般", 12), ("严重", 36)])
def test_penalty_counts_until_its_maximum_period(severity, max_months):
    record = penalty(severity)
    assert record_counts(record, at(max_months, -1))
    assert not record_counts(record, at(max_months))


@pytest.mark.parametrize(("severity", "min_months"), [("一般", 3), ("严重", 12)])
def test_repair_opens_after_the_minimum_period(severity, min_months):
    record = penalty(severity)
    early = repair_eligibility(record, at(min_months, -1))
    assert not early.allowed and early.earliest == at(min_months)
    assert repair_eligibility(record, at(min_months)).allowed


def test_repaired_penalty_stops_counting_from_its_repair_date():
    record = penalty("严重")
    record.repaired_on = at(14)
    assert record_counts(record, at(14, -1))
    assert not record_counts(record, at(14))
    assert not repair_eligibility(record, at(15)).allowed


def test_expired_penalty_needs_no_repair():
    assert not repair_eligibility(penalty("一般"), at(13)).allowed


def test_closed_judgment_stops_counting_five_years_after_closing():
    record = CreditRecord(
        uscc="x", category="judicial", record_date=date(2019, 1, 1),
        payload={"case_type": "买卖合同纠纷", "role": "defendant", "status": "closed", "closed_on": "2020-06-30"},
    )  # fmt: skip
    assert record_counts(record, date(2025, 6, 29))
    assert not record_counts(record, date(2025, 6, 30))


def test_dishonest_listing_is_live_until_removed():
    record = CreditRecord(
        uscc="x", category="dishonest_debtor", record_date=date(2024, 5, 1),
        payload={"listed_on": "2024-05-01", "removed_on": None, "issuer": "法院"},
    )  # fmt: skip
    assert dishonest_listing_live(record, date(2026, 1, 1))
    record.payload["removed_on"] = "2025-02-01"
    assert not dishonest_listing_live(record, date(2025, 2, 1))
    assert record_counts(record, date(2030, 1, 31))
    assert not record_counts(record, date(2030, 2, 1))


def test_objection_removed_record_never_counts():
    from django.utils import timezone

    record = CreditRecord(uscc="x", category="tax_rating", record_date=date(2025, 1, 1), payload={})
    record.removed_at = timezone.now()
    assert not record_counts(record, date(2025, 6, 1))


def test_future_record_does_not_count_yet():
    record = CreditRecord(uscc="x", category="tax_rating", record_date=date(2025, 1, 1), payload={})
    assert not record_counts(record, date(2024, 12, 31))
