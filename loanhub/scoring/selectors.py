"""Reads of scores and models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from loanhub.consent.selectors import Scope
from loanhub.credit_data.catalog import CATEGORY_BY_CODE, CATEGORY_CODES
from loanhub.credit_data.models import CreditRecord
from loanhub.enterprises.models import Enterprise
from risk_models.sufficiency import DATA_MINIMUM, DataMinimum, is_rated, months_between

from .models import ModelVersion, RescoreJob, ScoreRecord


def score_latest(*, enterprise: Enterprise, scope: str = "full") -> ScoreRecord | None:
    return (
        ScoreRecord.objects.filter(enterprise=enterprise, scope=scope)
        .select_related("model_version")
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class DataCoverage:
    """How much data an enterprise's records cover, and whether that is enough for a grade."""

    categories: tuple[str, ...]  # codes with at least one record, catalogue order
    months: int  # whole months from the earliest record to ``on``
    minimum: DataMinimum = DATA_MINIMUM

    @property
    def rated(self) -> bool:
        return is_rated(len(self.categories), self.months, self.minimum)

    @property
    def category_names(self) -> list[str]:
        return [str(CATEGORY_BY_CODE[c].name) for c in self.categories]

    @property
    def missing_names(self) -> list[str]:
        """Catalogue categories without any record (data missing, not a risk)."""
        return [str(c.name) for code, c in CATEGORY_BY_CODE.items() if code not in self.categories]


def data_coverage(*, enterprise: Enterprise, scope: Scope | None = None, on: date | None = None) -> DataCoverage:
    """The categories and months of history of the enterprise's records (one query).

    With an outside viewer's ``scope``, only the categories and date range it allows
    count: a bank whose authorization covers too little sees "not rated" too.
    """
    on = on or timezone.localdate()
    records = CreditRecord.objects.filter(uscc=enterprise.uscc, removed_at__isnull=True, record_date__lte=on)
    if scope is not None and not scope.is_own:
        allowed = Q(pk__in=[])
        for code, earliest in scope.categories.items():
            allowed |= Q(category=code, record_date__gte=earliest)
        records = records.filter(allowed)
    firsts = dict(records.values_list("category").annotate(first=Min("record_date")).values_list("category", "first"))
    codes = tuple(c for c in CATEGORY_CODES if c in firsts)
    months = months_between(min(firsts.values()), on) if firsts else 0
    return DataCoverage(codes, months)


def model_version_list() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.order_by("-is_active", "-created_at")


def rescore_job_list() -> QuerySet[RescoreJob]:
    return RescoreJob.objects.select_related("model_version").order_by("-created_at")


TIPS = {
    "penalty": "按时整改行政处罚事项；一般处罚满3个月、严重处罚满1年后，可在“异议与修复”申请信用修复。",
    "tax_rating": "依法按期申报纳税，争取A/B级纳税信用。",
    "tax_payment": "保持稳定、按期的纳税记录。",
    "social_insurance": "按时足额缴纳社保，避免欠费；参保人数稳定增长是经营向好的信号。",
    "housing_fund": "按时缴存住房公积金，避免欠缴。",
    "utilities": "按时缴纳水电燃气费用，避免逾期。",
    "judicial": "及时履行生效判决，妥善解决合同纠纷。",
    "dishonest_debtor": "履行法院判决义务后申请移出失信被执行人名单；在名单期间无法获得信用贷款。",
    "environment": "改善环保信用评价等级。",
    "customs": "申请海关高级认证（AEO）。",
    "commitment": "履行已作出的信用承诺。",
    "honour": "申报专精特新、高新技术企业等资质，可获得守信激励。",
    "carbon": "降低碳排放强度，绿色金融产品对碳评级好的企业更优惠。",
    "registration": "按时实缴注册资本，保持登记信息准确。",
}


def improvement_tips(*, score: ScoreRecord | None, limit: int = 4) -> list[str]:
    """Plain-words advice from the factors that raise the enterprise's risk most
    (never from missing data, the region or the industry: nothing to improve there)."""
    if score is None:
        return []
    from risk_models.feature_dictionary import FEATURES

    category_of = {name: spec.category for name, spec in FEATURES.items()}
    tips: list[str] = []
    for reason in score.raising:
        if not _shown_to_sme(reason):
            continue
        tip = TIPS.get(category_of.get(reason.get("feature", ""), ""))
        if tip and tip not in tips:
            tips.append(tip)
    return tips[:limit]


def gauge(score: ScoreRecord | None) -> dict | None:
    """Geometry of a half-circle score gauge (300–900)."""
    import math

    if score is None:
        return None
    fraction = min(max((score.score - 300) / 600, 0.0), 1.0)
    angle = math.pi * (1 - fraction)
    return {
        "x": round(100 + 80 * math.cos(angle), 2),
        "y": round(100 - 80 * math.sin(angle), 2),
        "fraction": fraction,
    }


# Facts about where a firm is and what it does: not something the SME can change, and
# not shown to it as a reason its risk is higher.
NOT_SME_REASONS = frozenset({"region", "industry"})


def _shown_to_sme(reason: dict) -> bool:
    if reason.get("value") is None:  # no data: described as missing, never as a risk
        return False
    return not (reason.get("feature") in NOT_SME_REASONS and reason.get("direction") == "raises")


def sme_factor_bars(score: ScoreRecord | None) -> list[dict]:
    """The SME's own factor list: reasons on data it has, without region/industry as risks."""
    if score is None:
        return []
    shown = [r for r in score.reasons if _shown_to_sme(r)]
    if not shown:
        return []
    biggest = max(abs(float(r.get("contribution", 0))) for r in shown) or 1.0
    return [{**r, "width": max(4, round(100 * abs(float(r.get("contribution", 0))) / biggest))} for r in shown]


def factor_bars(score: ScoreRecord | None) -> list[dict]:
    if score is None or not score.reasons:
        return []
    biggest = max(abs(float(r.get("contribution", 0))) for r in score.reasons) or 1.0
    return [{**r, "width": max(4, round(100 * abs(float(r.get("contribution", 0))) / biggest))} for r in score.reasons]
