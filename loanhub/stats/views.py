"""Back office: the statistics dashboard (platform administrators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loanhub.accounts.permissions import is_platform_admin, platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.institutions.models import FinancialInstitution
from loanhub.institutions.selectors import institution_for_user
from loanhub.loans.renewals import RenewalBankStats, renewal_stats_by_bank
from loanhub.replica import replica_reads
from loanhub.security.exports import csv_response

from .outcomes import OUTCOME_DIMENSIONS, calibration_by_grade, outcome_breakdown, outcome_headline
from .selectors import DIMENSIONS, breakdown, headline, lead_frame, model_health, now_label


def _bars(table: pd.DataFrame, value: str, unit: float = 1.0) -> list[dict[str, Any]]:
    if table.empty:
        return []
    top = float(table[value].max()) or 1.0
    return [
        {
            "label": row["label"],
            "value": float(row[value]) / unit,
            "width": max(1, round(100 * float(row[value]) / top)),
        }
        for _, row in table.iterrows()
    ]


@platform_admin_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    dimension = request.GET.get("by", "bank")
    if dimension not in DIMENSIONS:
        dimension = "bank"
    frame = lead_frame()
    table = breakdown(dimension, frame)
    monthly = breakdown("month", frame)
    health = model_health()
    top = max((count for _label, count in health.histogram), default=0) or 1
    return render(
        request,
        "stats/dashboard.html",
        {
            "title": _("统计分析"), "icon": "table", "headline": headline(frame), "dimension": dimension,
            "dimensions": DIMENSIONS, "rows": table.to_dict("records"),
            "amount_bars": _bars(table, "amount", unit=10000), "month_bars": _bars(monthly, "leads"), "health": health,
            "histogram": [
                {"label": label, "value": count, "width": round(100 * count / top)} for label, count in health.histogram
            ],
            "generated": now_label(),
        },
    )  # fmt: skip


@platform_admin_required
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    dimension = request.GET.get("by", "bank")
    if dimension not in DIMENSIONS:  # never echo the query string into the file
        dimension = "bank"
    table = breakdown(dimension)
    header = [
        str(DIMENSIONS[dimension]), _("线索"), _("及时受理"), _("已决定"), _("批准"),
        _("放款笔数"), _("放款金额（万元）"), _("首贷"), _("信用贷放款笔数"), _("金额存疑笔数（未计入金额）"),
    ]  # fmt: skip
    rows = [
        [row["label"], row["leads"], row["claimed_in_time"], row["decided"], row["approved"],
         row["disbursed"], Decimal(f"{row['amount'] / 10000:.2f}"), row["first"], row["credit"], row["flagged"]]
        for row in table.to_dict("records")
    ]  # fmt: skip
    return csv_response(header, rows, filename=f"loanhub-stats-{dimension}.csv")


# -------------------------------------------------------------------- outcomes


def _outcome_scope(request: AuthenticatedHttpRequest) -> tuple[FinancialInstitution | None, bool]:
    """Whose book the user may see: every bank's (platform administrators) or its own (bank staff)."""
    user = request.user
    if is_platform_admin(user):
        return None, True
    institution = institution_for_user(user=user) if user.is_bank_staff else None
    if institution is None:
        raise PermissionDenied
    return institution, False


def _outcome_dimension(request: AuthenticatedHttpRequest, platform: bool) -> str:
    dimension = request.GET.get("by", "vintage")
    if dimension not in OUTCOME_DIMENSIONS or (dimension == "bank" and not platform):
        return "vintage"  # never echo the query string; a bank has one bank to break down
    return dimension


def _renewals(institution: FinancialInstitution | None) -> list[RenewalBankStats]:
    """Renewal requests and their decisions per lending bank (a bank sees its own row)."""
    with replica_reads():
        return renewal_stats_by_bank(institution_id=institution.pk if institution else None)


def outcomes(request: AuthenticatedHttpRequest) -> HttpResponse:
    institution, platform = _outcome_scope(request)
    dimension = _outcome_dimension(request, platform)
    rows = outcome_breakdown(dimension, institution=institution)
    calibration = calibration_by_grade(institution=institution)
    top = max([max(r.default_rate or 0, r.mean_pd or 0) for r in calibration], default=0) or 1
    dimensions = {k: v for k, v in OUTCOME_DIMENSIONS.items() if platform or k != "bank"}
    npl_top = max((r.npl_ratio or 0 for r in rows), default=0) or 1
    return render(
        request,
        "stats/outcomes.html",
        {
            "title": _("贷后统计"), "icon": "table", "headline": outcome_headline(institution=institution),
            "institution": institution, "dimension": dimension, "dimensions": dimensions,
            "dimension_label": OUTCOME_DIMENSIONS[dimension], "rows": rows, "npl_caption": _("不良率（%）"),
            "npl_bars": [
                {"label": r.label, "value": round(100 * r.npl_ratio, 2), "width": round(100 * r.npl_ratio / npl_top)}
                for r in rows if r.npl_ratio is not None
            ],
            "calibration": [
                {"row": c, "rate_width": round(100 * (c.default_rate or 0) / top),
                 "pd_width": round(100 * (c.mean_pd or 0) / top)}
                for c in calibration
            ],
            "renewals": _renewals(institution),
            "generated": now_label(),
        },
    )  # fmt: skip


def _pct(value: float | None) -> Decimal | str:
    return "" if value is None else Decimal(f"{100 * value:.2f}")


def outcomes_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    institution, platform = _outcome_scope(request)
    dimension = _outcome_dimension(request, platform)
    header = [
        str(OUTCOME_DIMENSIONS[dimension]), _("放款笔数"), _("放款金额（万元）"), _("贷款余额（万元）"),
        _("不良余额（万元）"), _("不良率（%）"), _("累计90天以上逾期率（%）"), _("首贷占比（%）"), _("续贷占比（%）"),
        _("信用贷占比（%）"), _("金额存疑笔数（未计入金额）"),
    ]  # fmt: skip
    rows = [
        [r.label, r.loans, Decimal(f"{r.amount / 10000:.2f}"), Decimal(f"{r.outstanding / 10000:.2f}"),
         Decimal(f"{r.npl_outstanding / 10000:.2f}"), _pct(r.npl_ratio), _pct(r.rate_90), _pct(r.first_share),
         _pct(r.renewal_share), _pct(r.credit_share), r.flagged]
        for r in outcome_breakdown(dimension, institution=institution)
    ]  # fmt: skip
    return csv_response(header, rows, filename=f"loanhub-outcomes-{dimension}.csv")
