"""Back office: the statistics dashboard (platform administrators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loanhub.accounts.permissions import platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.security.exports import csv_response

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
