"""Reporting a loan's performance: validation, idempotence per day, corrections, the loan
and the lead following the latest report, and two officers reporting the same day at once."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from loanhub.audit.models import AuditEvent, AuditKind
from loanhub.loans import services
from loanhub.loans.models import LoanStatus, PerformanceReport, ReportChannel
from loanhub.loans.services import ReportResult, performance_report
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def loan(bank_a_page, officer_a):
    return loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=TODAY - timedelta(days=200))


def report(loan, officer, *, days_ago=10, status=LoanStatus.CURRENT, outstanding="300000", dpd=0, note=""):
    return performance_report(
        loan=loan, as_of=TODAY - timedelta(days=days_ago), status=status, outstanding=Decimal(outstanding),
        days_past_due=dpd, note=note, channel=ReportChannel.WORKBENCH, user=officer,
    )  # fmt: skip


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_first_report_is_stored_and_sets_the_loans_status(loan, officer_a):
    outcome = report(loan, officer_a, status=LoanStatus.DPD_1_30, dpd=12, outstanding="350000")
    assert outcome.result == ReportResult.CREATED
    loan.refresh_from_db()
    assert (loan.status, loan.days_past_due, loan.outstanding) == (LoanStatus.DPD_1_30, 12, Decimal("350000"))
    assert loan.status_as_of == TODAY - timedelta(days=10)
    assert outcome.report.reported_by == officer_a and outcome.report.channel == ReportChannel.WORKBENCH


def test_the_same_report_again_changes_nothing(loan, officer_a):
    first = report(loan, officer_a, note="按期还款")
    again = report(loan, officer_a, note="按期还款")
    assert again.result == ReportResult.UNCHANGED and again.report.pk == first.report.pk
    assert again.report.corrections == 0 and PerformanceReport.objects.count() == 1
    assert not AuditEvent.objects.filter(kind=AuditKind.LOAN_REPORT_CORRECTED).exists()


def test_other_values_for_the_same_day_correct_it_counted_and_audited(loan, officer_a):
    report(loan, officer_a)
    outcome = report(loan, officer_a, status=LoanStatus.DPD_1_30, dpd=5)
    assert outcome.result == ReportResult.CORRECTED and outcome.report.corrections == 1
    assert PerformanceReport.objects.get().status == LoanStatus.DPD_1_30
    event = AuditEvent.objects.get(kind=AuditKind.LOAN_REPORT_CORRECTED)
    assert event.details["before"]["status"] == "current" and event.details["after"]["days_past_due"] == 5
    assert event.object_id == str(outcome.report.pk) and event.user == officer_a


def test_the_latest_day_sets_the_loan_even_when_an_earlier_day_is_reported_after_it(loan, officer_a):
    report(loan, officer_a, days_ago=5, status=LoanStatus.DPD_31_90, dpd=40)
    report(loan, officer_a, days_ago=50, status=LoanStatus.CURRENT, dpd=0)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DPD_31_90 and loan.status_as_of == TODAY - timedelta(days=5)


@pytest.mark.parametrize(
    ("status", "dpd", "ok"),
    [
        (LoanStatus.CURRENT, 0, True), (LoanStatus.CURRENT, 1, False),
        (LoanStatus.DPD_1_30, 1, True), (LoanStatus.DPD_1_30, 30, True), (LoanStatus.DPD_1_30, 0, False),
        (LoanStatus.DPD_1_30, 31, False), (LoanStatus.DPD_31_90, 31, True), (LoanStatus.DPD_31_90, 90, True),
        (LoanStatus.DPD_31_90, 91, False), (LoanStatus.DPD_90_PLUS, 91, True), (LoanStatus.DPD_90_PLUS, 90, False),
        (LoanStatus.DEFAULTED, 200, True),
    ],
)  # fmt: skip
def test_days_past_due_must_fit_the_status(loan, officer_a, status, dpd, ok):
    if ok:
        assert report(loan, officer_a, status=status, dpd=dpd).result == ReportResult.CREATED
    else:
        messages = errors_of(lambda: report(loan, officer_a, status=status, dpd=dpd))["days_past_due"]
        assert "逾期天数" in messages[0] and str(LoanStatus(status).label) in messages[0]


def test_every_reason_is_given_at_once(loan, officer_a):
    errors = errors_of(lambda: report(loan, officer_a, days_ago=-3, status=LoanStatus.REPAID, outstanding="500000"))
    assert errors["as_of"] == ["报告日期不能晚于今天。"]
    assert "不能超过贷款金额 40 万元" in errors["outstanding"][0]
    assert "已结清" in errors["outstanding"][1]
    assert not PerformanceReport.objects.exists()


def test_dates_before_disbursement_and_negative_amounts_are_refused(loan, officer_a):
    errors = errors_of(lambda: report(loan, officer_a, days_ago=201, outstanding="-1"))
    assert "早于放款日期" in errors["as_of"][0] and errors["outstanding"] == ["贷款余额不能为负数。"]
    assert "未知的贷款状态" in errors_of(lambda: report(loan, officer_a, status="bogus"))["status"][0]


def test_a_closed_loan_takes_only_a_correction_of_its_closing_day(loan, officer_a):
    report(loan, officer_a, days_ago=3, status=LoanStatus.REPAID, outstanding="0")
    assert "不能再报告其他日期" in errors_of(lambda: report(loan, officer_a, days_ago=1))["as_of"][0]
    assert "不能再报告其他日期" in errors_of(lambda: report(loan, officer_a, days_ago=30))["as_of"][0]
    outcome = report(loan, officer_a, days_ago=3, status=LoanStatus.WRITTEN_OFF, outstanding="100000")
    assert outcome.result == ReportResult.CORRECTED
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF


def test_a_closing_status_cannot_be_reported_before_a_later_report(loan, officer_a):
    report(loan, officer_a, days_ago=3)
    assert (
        "只能是最后一次报告"
        in errors_of(lambda: report(loan, officer_a, days_ago=10, status=LoanStatus.REPAID, outstanding="0"))["status"][
            0
        ]
    )


def test_the_lead_defaulted_flag_follows_the_history(loan, officer_a):
    report(loan, officer_a, days_ago=60)
    loan.lead.refresh_from_db()
    assert loan.lead.defaulted is None  # still running, no default yet
    report(loan, officer_a, days_ago=20, status=LoanStatus.DPD_90_PLUS, dpd=95)
    loan.lead.refresh_from_db()
    assert loan.lead.defaulted is True
    report(loan, officer_a, days_ago=20, status=LoanStatus.DPD_31_90, dpd=60)  # a wrong 90+ corrected
    report(loan, officer_a, days_ago=2, status=LoanStatus.REPAID, outstanding="0")
    loan.lead.refresh_from_db()
    assert loan.lead.defaulted is False


def test_a_default_stays_a_default_after_repayment(loan, officer_a):
    report(loan, officer_a, days_ago=20, status=LoanStatus.DEFAULTED, dpd=120)
    report(loan, officer_a, days_ago=2, status=LoanStatus.REPAID, outstanding="0")
    loan.lead.refresh_from_db()
    assert loan.lead.defaulted is True


def test_an_insert_that_loses_the_race_becomes_a_correction(loan, officer_a, monkeypatch):
    """The unique constraint path: another officer's report landed between the look-up and the insert."""
    report(loan, officer_a, days_ago=4)  # the other officer's, already stored
    calls = {"n": 0}
    real = services._report_on

    def stale_first_look(loan, as_of):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(loan, as_of)

    monkeypatch.setattr(services, "_report_on", stale_first_look)
    outcome = report(loan, officer_a, days_ago=4, status=LoanStatus.DPD_1_30, dpd=3)
    assert outcome.result == ReportResult.CORRECTED and calls["n"] == 2
    assert PerformanceReport.objects.count() == 1 and PerformanceReport.objects.get().corrections == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_reporting_the_same_day_at_once_store_one_report(bank_a_page, officer_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across two connections (PostgreSQL); the race's fallback is tested above")
    loan = loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=TODAY - timedelta(days=200))
    barrier, results, failures = threading.Barrier(2), [], []

    def officer(status, dpd):
        try:
            barrier.wait(timeout=10)
            results.append(report(loan, officer_a, days_ago=1, status=status, dpd=dpd).result)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=officer, args=a) for a in ((LoanStatus.CURRENT, 0), (LoanStatus.DPD_1_30, 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failures
    assert sorted(results) == [ReportResult.CORRECTED, ReportResult.CREATED]
    assert PerformanceReport.objects.filter(loan=loan).count() == 1
