"""What the platform's own book is made of: decided leads, their loans and what became of them.

Labels (issue 15, DESIGN.md §6):

* **bad** (1): the loan was 90+ days past due, defaulted or written off (``NPL_STATUSES``, or
  a report with ``days_past_due`` ≥ 90) on a report dated within :data:`OBSERVATION_MONTHS`
  of disbursement, or the lead was marked defaulted;
* **good** (0): not bad, and repaid or renewed, or current (0 days past due) on a report at
  least :data:`MIN_SEASONING_MONTHS` after disbursement;
* **unknown** (empty): anything else — too young to say, overdue but not yet 90 days,
  approved but not disbursed. Declined leads have no outcome by definition.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from loanhub.loans.models import NPL_STATUSES, Loan, LoanStatus, PerformanceReport
from loanhub.matching.models import Lead, LeadStatus

OBSERVATION_MONTHS = 12
MIN_SEASONING_MONTHS = 6
APPROVED_STATUSES = (LeadStatus.APPROVED, LeadStatus.DISBURSED)
DECIDED_STATUSES = (*APPROVED_STATUSES, LeadStatus.DECLINED)
GOOD_CLOSED = (LoanStatus.REPAID, LoanStatus.RENEWED)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def decision_day(lead: Lead) -> date:
    if lead.decided_at is None:
        raise ValueError(f"lead {lead.pk} has no decision")
    return timezone.localdate(lead.decided_at)


def decided_leads(*, since: date | None = None, until: date | None = None) -> QuerySet[Lead]:
    """Leads a bank approved or declined, oldest decision first (the window bounds are decision days)."""
    qs = Lead.objects.filter(decided_at__isnull=False, status__in=DECIDED_STATUSES)
    if since is not None:
        qs = qs.filter(decided_at__date__gte=since)
    if until is not None:
        qs = qs.filter(decided_at__date__lte=until)
    return qs.select_related("enterprise", "product", "need").order_by("decided_at", "pk")


@dataclass(frozen=True)
class Outcome:
    bad: int | None  # 1 bad, 0 good, None unknown (or declined)
    reason: str  # bad / good / unknown / declined / not_disbursed


def _loan_reports(loans: list[Loan]) -> dict[int, list[tuple[date, str, int]]]:
    rows: dict[int, list[tuple[date, str, int]]] = defaultdict(list)
    reports = PerformanceReport.objects.filter(loan__in=loans).values_list(
        "loan_id", "as_of", "status", "days_past_due"
    )
    for loan_id, as_of, status, dpd in reports.order_by("as_of"):
        rows[loan_id].append((as_of, status, dpd))
    return rows


def outcomes(leads: list[Lead]) -> dict[int, Outcome]:
    """Lead id → its outcome label (module docstring)."""
    loans = {loan.lead_id: loan for loan in Loan.objects.filter(lead__in=leads)}
    reports = _loan_reports(list(loans.values()))
    result: dict[int, Outcome] = {}
    for lead in leads:
        if lead.status == LeadStatus.DECLINED:
            result[lead.pk] = Outcome(None, "declined")
            continue
        loan = loans.get(lead.pk)
        if loan is None:
            result[lead.pk] = Outcome(1 if lead.defaulted else None, "bad" if lead.defaulted else "not_disbursed")
            continue
        result[lead.pk] = _loan_outcome(lead, loan, reports.get(loan.pk, []))
    return result


def _loan_outcome(lead: Lead, loan: Loan, reports: list[tuple[date, str, int]]) -> Outcome:
    horizon = add_months(loan.disbursed_on, OBSERVATION_MONTHS)
    seasoned = add_months(loan.disbursed_on, MIN_SEASONING_MONTHS)
    history = [*reports, (loan.status_as_of, loan.status, loan.days_past_due)]
    if lead.defaulted or any(day <= horizon and (status in NPL_STATUSES or dpd >= 90) for day, status, dpd in history):
        return Outcome(1, "bad")
    if loan.status in GOOD_CLOSED:
        return Outcome(0, "good")
    latest_day, latest_status, latest_dpd = max(history, key=lambda r: r[0])
    if latest_status == LoanStatus.CURRENT and latest_dpd == 0 and latest_day >= seasoned:
        return Outcome(0, "good")
    return Outcome(None, "unknown")


def outcome_summary(*, since: date | None = None, until: date | None = None) -> dict[str, int]:
    """Outcome reason → decided leads (for the export page; no features computed)."""
    leads = list(decided_leads(since=since, until=until))
    summary: dict[str, int] = defaultdict(int)
    for outcome in outcomes(leads).values():
        summary[outcome.reason] += 1
    return dict(summary)
