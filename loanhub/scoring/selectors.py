"""Reads of scores and models."""

from __future__ import annotations

from django.db.models import QuerySet

from loanhub.enterprises.models import Enterprise

from .models import ModelVersion, RescoreJob, ScoreRecord


def score_latest(*, enterprise: Enterprise, scope: str = "full") -> ScoreRecord | None:
    return (
        ScoreRecord.objects.filter(enterprise=enterprise, scope=scope)
        .select_related("model_version")
        .order_by("-created_at", "-pk")
        .first()
    )


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
    """Plain-words advice from the factors that raise the enterprise's risk most."""
    if score is None:
        return []
    from risk_models.feature_dictionary import FEATURES

    category_of = {name: spec.category for name, spec in FEATURES.items()}
    tips: list[str] = []
    for reason in score.raising:
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


def factor_bars(score: ScoreRecord | None) -> list[dict]:
    if score is None or not score.reasons:
        return []
    biggest = max(abs(float(r.get("contribution", 0))) for r in score.reasons) or 1.0
    return [{**r, "width": max(4, round(100 * abs(float(r.get("contribution", 0))) / biggest))} for r in score.reasons]
