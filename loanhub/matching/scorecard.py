"""A bank's scorecard: response times, approval rate, disbursed amount, overdue count."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Count, F, Q, QuerySet, Sum

from loanhub.institutions.models import FinancialInstitution

from .models import Lead, LeadStatus
from .selectors import amount_implausible


@dataclass
class Scorecard:
    institution: FinancialInstitution
    leads: int
    claimed: int
    claimed_in_time: int
    median_claim_hours: float | None
    decided: int
    approved: int
    disbursed_amount: float
    disbursed_count: int
    overdue: int

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.decided if self.decided else None

    @property
    def claim_rate(self) -> float | None:
        return self.claimed / self.leads if self.leads else None

    @property
    def in_time_rate(self) -> float | None:
        return self.claimed_in_time / self.claimed if self.claimed else None


def bank_scorecard(*, institutions: list[FinancialInstitution] | None = None) -> list[Scorecard]:
    qs = Lead.objects.all()
    if institutions is not None:
        qs = qs.filter(institution__in=institutions)
    decided = (LeadStatus.APPROVED, LeadStatus.DECLINED, LeadStatus.DISBURSED)
    approved = (LeadStatus.APPROVED, LeadStatus.DISBURSED)
    totals = qs.values("institution").annotate(
        n=Count("pk"),
        claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
        claimed_in_time=Count("pk", filter=Q(claimed_at__isnull=False, claimed_at__lte=F("claim_deadline"))),
        decided=Count("pk", filter=Q(status__in=decided)),
        approved=Count("pk", filter=Q(status__in=approved)),
        # Plausible amounts only (as in loanhub.stats): within the product's range and the approval.
        disbursed=Sum("disbursed_amount", filter=Q(status=LeadStatus.DISBURSED) & ~amount_implausible()),
        disbursed_n=Count("pk", filter=Q(status=LeadStatus.DISBURSED)),
        overdue=Count("pk", filter=Q(is_overdue=True)),
    )
    by_id = FinancialInstitution.objects.in_bulk([t["institution"] for t in totals])
    hours = _claim_hours(qs)
    cards = [
        Scorecard(
            institution=by_id[t["institution"]], leads=t["n"], claimed=t["claimed"],
            claimed_in_time=t["claimed_in_time"], median_claim_hours=hours.get(t["institution"]),
            decided=t["decided"], approved=t["approved"],
            disbursed_amount=float(t["disbursed"] or 0), disbursed_count=t["disbursed_n"], overdue=t["overdue"],
        )
        for t in totals
    ]  # fmt: skip
    return sorted(cards, key=lambda c: c.institution.name)


def _claim_hours(qs: QuerySet[Lead]) -> dict[int, float]:
    spans: dict[int, list[float]] = {}
    for institution_id, created, claimed in qs.filter(claimed_at__isnull=False).values_list(
        "institution_id", "created_at", "claimed_at"
    ):
        if claimed is not None:  # filtered above; the column is nullable
            spans.setdefault(institution_id, []).append((claimed - created).total_seconds() / 3600)
    return {k: round(median(v), 1) for k, v in spans.items()}
