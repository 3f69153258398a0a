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


def score_history(*, enterprise: Enterprise, scope: str = "full") -> QuerySet[ScoreRecord]:
    return ScoreRecord.objects.filter(enterprise=enterprise, scope=scope).order_by("-created_at", "-pk")


def model_version_list() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.order_by("-is_active", "-created_at")


def rescore_job_list() -> QuerySet[RescoreJob]:
    return RescoreJob.objects.select_related("model_version").order_by("-created_at")
