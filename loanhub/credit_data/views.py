"""Credit profile pages: the SME's own, and a bank officer's authorized view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.consent.exceptions import NotAuthorized
from loanhub.consent.models import Authorization, Channel, Purpose
from loanhub.enterprises.access import member_enterprise_or_404
from loanhub.enterprises.models import Enterprise
from loanhub.scoring.exceptions import NoActiveModel
from loanhub.scoring.models import Trigger
from loanhub.scoring.selectors import (
    data_coverage,
    factor_bars,
    gauge,
    improvement_tips,
    score_latest,
    sme_factor_bars,
)
from loanhub.scoring.services import rescore_safely, score_for_scope

from .models import CreditRecord, ProviderKind
from .selectors import credit_profile_for_viewer


@login_required
def own_profile(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc, allow_unverified=True)
    if not enterprise.is_verified:  # no records, no score until verified: say why
        context = {"enterprise": enterprise, "title": _("信用画像"), "active": "credit"}
        return render(request, "enterprises/pending.html", context)
    profile = credit_profile_for_viewer(viewer=request.user, enterprise=enterprise)
    coverage = data_coverage(enterprise=enterprise)
    score = None
    if coverage.rated:  # below the data minimum: 数据不足，暂不评级, never a grade from an empty file
        score = score_latest(enterprise=enterprise) or rescore_safely(enterprise, Trigger.ON_DEMAND)
    context = {
        "enterprise": enterprise,
        "profile": profile,
        "score": score,
        "coverage": coverage,
        "has_authorization": Authorization.objects.live().filter(enterprise=enterprise).exists(),
        "sandbox_records": CreditRecord.objects.filter(
            uscc=enterprise.uscc, provider__kind=ProviderKind.SANDBOX
        ).exists(),
        "gauge": gauge(score),
        "bars": sme_factor_bars(score),
        "tips": improvement_tips(score=score),
        "open_objection_ids": set(enterprise.objections.filter(status="open").values_list("record_id", flat=True)),
    }
    return render(request, "credit_data/profile.html", context)


@login_required
def bank_profile(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    """A bank officer's view: only under a live authorization, and logged."""
    if not request.user.is_bank_staff:
        raise Http404
    enterprise = get_object_or_404(Enterprise, uscc=uscc.upper())
    try:
        # Outside a lead, only purposes that allow the records themselves count.
        profile = credit_profile_for_viewer(
            viewer=request.user, enterprise=enterprise, channel=Channel.BACK_OFFICE, detail="企业信用画像",
            purposes=(Purpose.UNDERWRITING, Purpose.MONITORING),
        )  # fmt: skip
    except NotAuthorized:
        raise Http404 from None  # no live authorization: nothing to see, not even existence
    coverage = data_coverage(enterprise=enterprise, scope=profile.scope)
    score = None
    if coverage.rated:
        try:
            score = score_for_scope(enterprise, profile.scope)
        except NoActiveModel:
            score = None
    context = {
        "enterprise": enterprise,
        "profile": profile,
        "score": score,
        "coverage": coverage,
        "gauge": gauge(score),
        "bars": factor_bars(score),
        "bank_view": True,
    }
    return render(request, "credit_data/profile.html", context)
