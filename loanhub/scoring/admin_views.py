"""Back office: model registry (cards, activation) and batch rescoring."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loanhub.accounts.permissions import platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest

from .exceptions import NoActiveModel
from .models import ModelVersion, RescoreJob
from .presenters import card_sections, card_tables, comparison_view, headline_metrics
from .selectors import model_version_list, rescore_job_list
from .services import model_activate, model_register, rescore_job_create, validate_model_dir
from .tasks import rescore_all_task


@platform_admin_required
def model_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "scoring/admin/model_index.html",
        {"title": _("评分模型"), "icon": "cogs", "versions": model_version_list(), "jobs": rescore_job_list()[:10]},
    )


@platform_admin_required
def model_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ModelVersion, pk=pk)
    card = version.card
    return render(
        request,
        "scoring/admin/model_detail.html",
        {
            "title": _("模型卡 %(v)s") % {"v": version.version},
            "icon": "doc-full",
            "version": version,
            "metrics": card.get("metrics", {}),
            "headline": headline_metrics(card),
            "sections": card_sections(card),
            "tables": card_tables(card),
            "grades": card.get("metrics", {}).get("grade_table") or card.get("metrics", {}).get("grades") or [],
            "features": card.get("features", []),
            "card": card,
            "comparison": comparison_view(version.comparison),
        },
    )


@platform_admin_required
@require_POST
def model_register_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        folder = validate_model_dir(request.POST.get("path", ""))
        version = model_register(path=folder)
    except (ValidationError, ValueError, OSError) as exc:
        messages.error(request, _("无法登记模型：%(e)s") % {"e": "; ".join(getattr(exc, "messages", [str(exc)]))})
        return redirect("scoring_admin:index")
    messages.success(request, _("已登记模型 %(v)s。") % {"v": version.version})
    return redirect("scoring_admin:detail", pk=version.pk)


@platform_admin_required
@require_http_methods(["GET", "POST"])
def model_activate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Activate a version. A challenger (trained on the platform's book) first shows its comparison
    with the active model and needs an explicit confirmation: nothing switches silently."""
    version = get_object_or_404(ModelVersion, pk=pk)
    if request.method == "GET" and not version.is_challenger:
        return redirect("scoring_admin:detail", pk=version.pk)
    if version.is_challenger and (request.method == "GET" or request.POST.get("confirmed") != "1"):
        return render(
            request,
            "scoring/admin/model_activate_confirm.html",
            {
                "title": _("启用挑战者模型 %(v)s") % {"v": version.version},
                "icon": "cogs",
                "version": version,
                "cmp": comparison_view(version.comparison),
            },
        )
    model_activate(version=version, user=request.user)
    messages.success(request, _("已启用模型 %(v)s，新的评分将使用该版本。") % {"v": version.version})
    return redirect("scoring_admin:index")


@platform_admin_required
@require_POST
def rescore_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        job = rescore_job_create(user=request.user)
    except NoActiveModel as exc:
        messages.error(request, str(exc))
        return redirect("scoring_admin:index")
    rescore_all_task.enqueue(job.pk)
    messages.success(request, _("批量重评任务 #%(pk)d 已开始。") % {"pk": job.pk})
    return redirect("scoring_admin:job", pk=job.pk)


@platform_admin_required
def rescore_job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(RescoreJob, pk=pk)
    return render(
        request,
        "scoring/admin/job_detail.html",
        {"title": _("批量重评任务 #%(pk)d") % {"pk": job.pk}, "icon": "repeat", "job": job},
    )
