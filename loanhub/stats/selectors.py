"""Platform statistics: the funnel from registration to disbursement, by dimension.

Computed with pandas from one query per table, so the dashboard stays fast at
100k leads. The queries read from the read replica when one is configured
(``loanhub.replica``: DATABASE_REPLICA_URL), so statistics never load the primary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.consent.models import Authorization
from loanhub.enterprises.catalogs import INDUSTRY_SECTIONS, region_name
from loanhub.enterprises.models import Enterprise
from loanhub.matching.models import FinancingNeed, Lead, LeadStatus
from loanhub.matching.selectors import amount_implausible
from loanhub.replica import replica_reads
from loanhub.scoring.models import ModelVersion, ScoreRecord

DIMENSIONS = {
    "bank": _("金融机构"),
    "region": _("地区"),
    "industry": _("行业"),
    "grade": _("等级"),
    "month": _("月份"),
}
APPROVED = (LeadStatus.APPROVED, LeadStatus.DISBURSED)
DECIDED = (LeadStatus.APPROVED, LeadStatus.DISBURSED, LeadStatus.DECLINED)


@replica_reads()
def lead_frame() -> pd.DataFrame:
    flagged = Case(When(amount_implausible(), then=Value(True)), default=Value(False), output_field=BooleanField())
    rows = Lead.objects.annotate(amount_flagged=flagged).values_list(
        "pk", "institution__short_name", "enterprise__region", "enterprise__industry", "grade", "created_at",
        "status", "claimed_at", "claim_deadline", "disbursed_amount", "is_first_loan", "product__collateral",
        "defaulted", "is_overdue", "approved_amount", "amount_flagged",
    )  # fmt: skip
    columns = [
        "id", "bank", "region", "industry", "grade", "created_at", "status", "claimed_at", "claim_deadline",
        "disbursed_amount", "first_loan", "collateral", "defaulted", "overdue", "approved_amount", "amount_flagged",
    ]  # fmt: skip
    frame = pd.DataFrame(list(rows), columns=columns)
    if frame.empty:
        return frame
    frame["month"] = pd.to_datetime(frame["created_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m")
    frame["region"] = frame["region"].str[:4] + "00"
    frame["industry"] = frame["industry"].str[:1]
    frame["grade"] = frame["grade"].replace("", "—")
    frame["claimed"] = frame["claimed_at"].notna()
    frame["claimed_in_time"] = frame["claimed"] & (frame["claimed_at"] <= frame["claim_deadline"])
    frame["approved"] = frame["status"].isin(APPROVED)
    frame["decided"] = frame["status"].isin(DECIDED)
    frame["disbursed"] = frame["status"] == LeadStatus.DISBURSED
    # An implausible amount (a unit slip: 150 元 for 150万) is left out of every sum and
    # counted as flagged instead, so one typo cannot move a total (and is shown to fix).
    frame["amount"] = pd.to_numeric(frame["disbursed_amount"]).fillna(0.0).where(~frame["amount_flagged"], 0.0)
    frame["credit"] = frame["disbursed"] & (frame["collateral"] == "none")
    frame["first"] = frame["disbursed"] & frame["first_loan"].astype(bool)
    return frame


@dataclass
class Headline:
    enterprises: int
    authorized: int
    needs: int
    leads: int
    claimed: int
    claimed_in_time: int
    approved: int
    decided: int
    disbursed: int
    disbursed_amount: float
    first_loans: int
    credit_amount: float
    overdue: int
    # Leads with an implausible amount, left out of the amount totals (first ones listed).
    flagged: int = 0
    flagged_leads: tuple[int, ...] = ()

    @property
    def in_time_rate(self) -> float | None:
        return self.claimed_in_time / self.claimed if self.claimed else None

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.decided if self.decided else None

    @property
    def credit_share(self) -> float | None:
        return self.credit_amount / self.disbursed_amount if self.disbursed_amount else None


@replica_reads()
def headline(frame: pd.DataFrame | None = None) -> Headline:
    frame = lead_frame() if frame is None else frame
    authorized = Authorization.objects.live().values("enterprise").distinct().count()
    empty = frame.empty

    def total(col: str) -> int:
        return 0 if empty else int(frame[col].sum())

    credit_amount = float(frame.loc[frame["credit"], "amount"].sum()) if not empty else 0.0
    return Headline(
        enterprises=Enterprise.objects.count(), authorized=authorized, needs=FinancingNeed.objects.count(),
        leads=len(frame), claimed=total("claimed"), claimed_in_time=total("claimed_in_time"),
        approved=total("approved"), decided=total("decided"), disbursed=total("disbursed"),
        disbursed_amount=float(frame["amount"].sum()) if not empty else 0.0, first_loans=total("first"),
        credit_amount=credit_amount, overdue=total("overdue"), flagged=total("amount_flagged"),
        flagged_leads=() if empty else tuple(int(i) for i in frame.loc[frame["amount_flagged"], "id"].head(20)),
    )  # fmt: skip


@replica_reads()
def breakdown(dimension: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per value of ``dimension`` with the funnel's counts and amounts."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    frame = lead_frame() if frame is None else frame
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "key",
                "label",
                "leads",
                "claimed_in_time",
                "approved",
                "decided",
                "disbursed",
                "amount",
                "first",
                "credit",
                "flagged",
            ]
        )
    grouped = frame.groupby(dimension).agg(
        leads=("id", "count"), claimed=("claimed", "sum"), claimed_in_time=("claimed_in_time", "sum"),
        approved=("approved", "sum"), decided=("decided", "sum"), disbursed=("disbursed", "sum"),
        amount=("amount", "sum"), first=("first", "sum"), credit=("credit", "sum"),
        flagged=("amount_flagged", "sum"),
    ).reset_index().rename(columns={dimension: "key"})  # fmt: skip
    grouped["label"] = grouped["key"].map(lambda k: _label(dimension, k))
    grouped["approval_rate"] = np.where(
        grouped["decided"] > 0, grouped["approved"] / grouped["decided"].clip(lower=1), np.nan
    )
    order = "key" if dimension in ("month", "grade") else "amount"
    return grouped.sort_values(order, ascending=dimension in ("month", "grade")).reset_index(drop=True)


def _label(dimension: str, key: str) -> str:
    if dimension == "region":
        return region_name(key)
    if dimension == "industry":
        return f"{key} {INDUSTRY_SECTIONS.get(key, '')}"
    return str(key)


# ----------------------------------------------------------------- model health


@dataclass
class ModelHealth:
    version: ModelVersion | None
    histogram: list[tuple[str, int]]
    psi: float | None
    default_by_grade: list[tuple[str, int, float]]
    scored: int


@replica_reads()
def model_health() -> ModelHealth:
    from loanhub.scoring.stability import score_stability

    version = ModelVersion.objects.filter(is_active=True).first()
    if version is None:
        return ModelHealth(None, [], None, [], 0)
    rows = ScoreRecord.objects.filter(scope="full", model_version=version).values_list("enterprise_id", "score", "pk")
    frame = pd.DataFrame(list(rows), columns=["enterprise", "score", "pk"]).sort_values("pk")
    scores = frame.drop_duplicates("enterprise", keep="last")["score"].to_numpy(dtype=float)
    edges = list(range(300, 901, 50))
    counts, _edges = np.histogram(scores, bins=edges)
    histogram = [(f"{a}–{b}", int(c)) for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)]
    # Against the model's own first scores here, not its training book (see scoring.stability).
    psi = score_stability(version=version).psi
    outcomes = pd.DataFrame(
        list(Lead.objects.filter(defaulted__isnull=False).values_list("grade", "defaulted")),
        columns=["grade", "defaulted"],
    )
    by_grade = []
    if not outcomes.empty:
        agg = outcomes.groupby("grade")["defaulted"].agg(["count", "mean"]).reset_index()
        by_grade = [(row.grade, int(row["count"]), float(row["mean"])) for _, row in agg.iterrows()]
    return ModelHealth(version, histogram, psi, by_grade, len(scores))


def now_label() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")
