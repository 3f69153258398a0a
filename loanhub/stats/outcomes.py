"""Loan outcomes for the statistics (issue 15): NPL ratio and 90+ rate by dimension, the plans'
shares (首贷, 续贷, 信用贷) and default rate by grade against the model's PD at decision.

Aggregated in SQL (values/annotate), never per loan in Python. A platform administrator sees
every bank's book; a bank sees its own (``institution``). Nothing here is per enterprise.

Definitions (all amounts in 元; pages show 万元):

* NPL ratio (不良率): outstanding of loans in :data:`~loanhub.loans.models.NPL_STATUSES` over
  the outstanding of all loans.
* 90+ rate (累计90天以上逾期率): loans that were ever reported 90 or more days past due, defaulted
  or written off, over loans disbursed (by count): a vintage's bad rate.
* Calibration: for each grade at decision (``Lead.grade``), the share of loans with a known
  outcome that went bad against the mean PD the model gave them at decision (``Lead.pd``). An
  outcome is known once the loan went bad, closed, or has been on the books for 12 months.
* A loan whose lead has an implausible amount (:func:`loanhub.matching.selectors.amount_implausible`)
  is left out of every amount and counted as flagged, as in the funnel statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, BooleanField, Case, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Concat, ExtractQuarter, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.models import ZonePage
from loanhub.enterprises.catalogs import region_name
from loanhub.institutions.models import FinancialInstitution
from loanhub.loans.models import CLOSED_STATUSES, NPL_STATUSES, Loan, PerformanceReport
from loanhub.matching.models import Lead
from loanhub.matching.selectors import amount_implausible
from loanhub.replica import replica_reads

OUTCOME_DIMENSIONS = {
    "bank": gettext_lazy("金融机构"),
    "product": gettext_lazy("金融产品"),
    "grade": gettext_lazy("等级"),
    "region": gettext_lazy("地区"),
    "zone": gettext_lazy("专区"),
    "vintage": gettext_lazy("放款季度"),
}
OUTCOME_WINDOW_MONTHS = 12
NO_GRADE = "—"


def loan_scope(*, institution: FinancialInstitution | None = None) -> QuerySet[Loan]:
    """Every loan (a platform administrator) or one bank's book, with the two flags the
    aggregates need: an implausible amount, and ever 90+ days past due."""
    qs = Loan.objects.all() if institution is None else Loan.objects.filter(institution=institution)
    implausible = Lead.objects.filter(pk=OuterRef("lead_id")).filter(amount_implausible())
    went_bad = PerformanceReport.objects.filter(loan=OuterRef("pk")).filter(
        Q(status__in=NPL_STATUSES) | Q(days_past_due__gte=90)
    )
    bad_now = Q(status__in=NPL_STATUSES) | Q(days_past_due__gte=90)
    return qs.annotate(
        flagged=Exists(implausible),
        ever_bad=Case(
            When(Exists(went_bad) | bad_now, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


def _aggregates() -> dict:
    ok = Q(flagged=False)
    return {
        "t_loans": Count("pk", distinct=True),
        "t_amount": Sum("amount", filter=ok),
        "t_outstanding": Sum("outstanding", filter=ok),
        "t_npl_outstanding": Sum("outstanding", filter=ok & Q(status__in=NPL_STATUSES)),
        "t_ever_bad": Count("pk", filter=Q(ever_bad=True), distinct=True),
        "t_first": Count("pk", filter=Q(is_first_loan=True), distinct=True),
        "t_renewals": Count("pk", filter=Q(renewal_of__isnull=False), distinct=True),
        "t_credit": Count("pk", filter=Q(is_credit=True), distinct=True),
        "t_credit_amount": Sum("amount", filter=ok & Q(is_credit=True)),
        "t_flagged_n": Count("pk", filter=Q(flagged=True), distinct=True),
        "t_sandbox": Count("pk", filter=Q(is_sandbox=True), distinct=True),
    }


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass
class OutcomeRow:
    key: str
    label: str
    loans: int
    amount: float  # 元, plausible amounts only
    outstanding: float  # 元
    npl_outstanding: float  # 元
    ever_bad: int
    first: int
    renewals: int
    credit: int
    credit_amount: float  # 元
    flagged: int
    sandbox: int

    @classmethod
    def from_values(cls, key: str, label: str, row: Mapping[str, Any]) -> OutcomeRow:
        return cls(
            key=key, label=label, loans=row["t_loans"], amount=float(row["t_amount"] or 0),
            outstanding=float(row["t_outstanding"] or 0), npl_outstanding=float(row["t_npl_outstanding"] or 0),
            ever_bad=row["t_ever_bad"], first=row["t_first"], renewals=row["t_renewals"], credit=row["t_credit"],
            credit_amount=float(row["t_credit_amount"] or 0), flagged=row["t_flagged_n"], sandbox=row["t_sandbox"],
        )  # fmt: skip

    @property
    def npl_ratio(self) -> float | None:
        return _share(self.npl_outstanding, self.outstanding)

    @property
    def rate_90(self) -> float | None:
        return _share(self.ever_bad, self.loans)

    @property
    def first_share(self) -> float | None:
        return _share(self.first, self.loans)

    @property
    def renewal_share(self) -> float | None:
        return _share(self.renewals, self.loans)

    @property
    def credit_share(self) -> float | None:
        return _share(self.credit, self.loans)

    @property
    def credit_amount_share(self) -> float | None:
        return _share(self.credit_amount, self.amount)


@replica_reads()  # the read replica when configured (DATABASE_REPLICA_URL)
def outcome_headline(*, institution: FinancialInstitution | None = None) -> OutcomeRow:
    """The whole book (or one bank's) in one row."""
    row = loan_scope(institution=institution).aggregate(**_aggregates())
    return OutcomeRow.from_values("all", _("合计"), row)


@replica_reads()  # the read replica when configured (DATABASE_REPLICA_URL)
def outcome_breakdown(dimension: str, *, institution: FinancialInstitution | None = None) -> list[OutcomeRow]:
    """One row per value of ``dimension`` (bank, product, grade, region, zone, vintage)."""
    if dimension not in OUTCOME_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    qs = loan_scope(institution=institution)
    if dimension == "bank":
        qs, key = qs.annotate(key=F("institution__short_name")), "key"
    elif dimension == "product":
        qs, key = qs.annotate(key=F("product__title")), "key"
    elif dimension == "grade":
        qs, key = qs.annotate(key=F("lead__grade")), "key"
    elif dimension == "region":  # the city (地级市) of the enterprise's division code
        qs, key = qs.annotate(key=Concat(Substr("enterprise__region", 1, 4), Value("00"))), "key"
    elif dimension == "zone":  # a product with several zone tags counts in each
        qs, key = qs.filter(product__tags__isnull=False).annotate(key=F("product__tags__name")), "key"
    else:
        qs, key = qs.annotate(year=ExtractYear("disbursed_on"), quarter=ExtractQuarter("disbursed_on")), "year"
    if dimension == "vintage":
        values = qs.values("year", "quarter").annotate(**_aggregates()).order_by("year", "quarter")
        return [
            OutcomeRow.from_values(f"{v['year']}Q{v['quarter']}", _vintage_label(v["year"], v["quarter"]), v)
            for v in values
        ]
    values = qs.values(key).annotate(**_aggregates()).order_by(key)
    labels = _labels(dimension, [v[key] for v in values])
    rows = [
        OutcomeRow.from_values(str(v[key] or NO_GRADE), labels.get(v[key], str(v[key] or NO_GRADE)), v) for v in values
    ]
    if dimension in ("bank", "product", "region", "zone"):
        rows.sort(key=lambda r: -r.amount)
    return rows


def _vintage_label(year: int, quarter: int) -> str:
    return _("%(year)d年第%(quarter)d季度") % {"year": year, "quarter": quarter}


def _labels(dimension: str, keys: list[str | None]) -> dict[str | None, str]:
    if dimension == "region":
        return {k: region_name(k) for k in keys if k}
    if dimension == "zone":
        titles = dict(ZonePage.objects.live().filter(tag__in=[k for k in keys if k]).values_list("tag", "title"))
        return {k: titles.get(k, k) for k in keys if k}
    return {}


# ------------------------------------------------------------------- calibration


@dataclass
class CalibrationRow:
    grade: str
    loans: int  # with a known outcome
    bad: int
    mean_pd: float | None

    @property
    def default_rate(self) -> float | None:
        return _share(self.bad, self.loans)


@replica_reads()  # the read replica when configured (DATABASE_REPLICA_URL)
def calibration_by_grade(
    *, institution: FinancialInstitution | None = None, today: date | None = None
) -> list[CalibrationRow]:
    """Default rate by grade at decision against the model's mean PD at decision."""
    cutoff = (today or timezone.localdate()) - relativedelta(months=OUTCOME_WINDOW_MONTHS)
    known = Q(ever_bad=True) | Q(status__in=CLOSED_STATUSES) | Q(disbursed_on__lte=cutoff)
    values = (
        loan_scope(institution=institution)
        .filter(known)
        .exclude(lead__grade="")
        .values("lead__grade")
        .annotate(n=Count("pk"), bad=Count("pk", filter=Q(ever_bad=True)), mean_pd=Avg("lead__pd"))
        .order_by("lead__grade")
    )
    return [CalibrationRow(v["lead__grade"], v["n"], v["bad"], v["mean_pd"]) for v in values]
