"""SME portal: the enterprise's own loans, their terms, schedule and status (members only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from wagtail import hooks

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.enterprises.access import member_enterprise_or_404

from .models import Loan
from .selectors import loan_reports, loan_schedule, loans_for_enterprise

PAGE_SIZE = 10
# Extension point for the SME's loan page (an alert raised about the enterprise, a renewal request):
#   @hooks.register(SME_LOAN_PAGE_PANELS_HOOK)
#   def my_panel(request, loan, panels): panels.append(<a wagtail Component with an ``order``>)
SME_LOAN_PAGE_PANELS_HOOK = "construct_sme_loan_page_panels"


@login_required
def loan_index(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    page = Paginator(loans_for_enterprise(enterprise=enterprise), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "loans/loan_list.html", {"enterprise": enterprise, "page": page})


def _panels(request: AuthenticatedHttpRequest, loan: Loan) -> list[Any]:
    panels: list[Any] = []
    for fn in hooks.get_hooks(SME_LOAN_PAGE_PANELS_HOOK):
        fn(request, loan, panels)
    return sorted(panels, key=lambda p: getattr(p, "order", 100))


@login_required
def loan_detail(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    loan = get_object_or_404(loans_for_enterprise(enterprise=enterprise), pk=pk)
    return render(
        request,
        "loans/loan_detail.html",
        {
            "enterprise": enterprise, "loan": loan, "schedule": loan_schedule(loan=loan),
            "reports": loan_reports(loan=loan), "panels": _panels(request, loan), "today": timezone.localdate(),
        },
    )  # fmt: skip
