"""Renewals on the portal and in the back office: the SME's request form, the renewal
panels of the SME's and the bank's loan pages (registered in wagtail_hooks.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.ui.components import Component

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.enterprises.access import member_enterprise_or_404
from loanhub.matching.exceptions import ConsentMissing

from .models import Loan, RenewalRequest
from .renewal_forms import RenewalForm
from .renewals import (
    RenewalAlreadyRequested,
    RenewalError,
    renewal_in_progress,
    renewal_refusal,
    renewal_request,
    renewal_window,
)


def _need_url(request_: RenewalRequest) -> str:
    lead = request_.lead
    return reverse("matching:need_detail", kwargs={"uscc": lead.enterprise.uscc, "pk": lead.need_id})


@login_required
@require_http_methods(["GET", "POST"])
def renewal_new(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    """续贷申请: the SME asks the lending bank to renew one of its own loans."""
    enterprise = member_enterprise_or_404(request, uscc)
    loan = get_object_or_404(Loan.objects.select_related("product", "institution"), pk=pk, enterprise=enterprise)
    existing = renewal_in_progress(loan)
    if existing is not None:  # a double click or a second tab: the request already made
        messages.info(request, _("该笔贷款已提交续贷申请，下面是它的办理进度。"))
        return redirect(_need_url(existing))
    initial = {"amount": loan.amount, "term_months": loan.term_months}
    form = RenewalForm(request.POST or None, initial=initial)
    refusal = renewal_refusal(loan)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            made = renewal_request(user=request.user, loan=loan, **form.cleaned_data)
        except RenewalAlreadyRequested as exc:
            messages.info(request, str(exc))
            return redirect(_need_url(exc.request))
        except RenewalError as exc:
            refusal = str(exc)
        except ConsentMissing:
            messages.warning(request, _("申请续贷前，请先授权贷款银行查询企业信用信息。"))
            query = urlencode({"institution": str(loan.institution_id), "next": request.path})
            return redirect(reverse("consent:new", kwargs={"uscc": uscc}) + "?" + query)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("续贷申请已提交给 %(bank)s，银行受理和审批后您会收到通知。") % {"bank": loan.institution.short_name},
            )
            return redirect(_need_url(made))
    opens, closes = renewal_window(loan)
    context = {
        "enterprise": enterprise,
        "loan": loan,
        "form": form,
        "refusal": refusal,
        "opens": opens,
        "closes": closes,
    }
    return render(request, "loans/renewals/renewal_form.html", context, status=400 if form.errors else 200)


class SmeRenewalPanel(Component):
    """The SME's loan page: whether and until when it may ask to renew, and its requests."""

    template_name = "loans/renewals/sme_loan_panel.html"
    order = 20

    def __init__(self, loan: Loan) -> None:
        self.loan = loan

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        opens, closes = renewal_window(self.loan)
        requests = self.loan.renewal_requests.select_related("lead")
        return {
            "loan": self.loan, "enterprise": self.loan.enterprise, "refusal": renewal_refusal(self.loan),
            "opens": opens, "closes": closes, "requests": requests, "renewed_from": self.loan.renewal_of,
        }  # fmt: skip


def sme_renewal_panel(request: AuthenticatedHttpRequest, loan: Loan, panels: list[Any]) -> None:
    """SME_LOAN_PAGE_PANELS_HOOK (the SME page's view already checked membership)."""
    panels.append(SmeRenewalPanel(loan))


class BankRenewalPanel(Component):
    """The bank's loan page: the loan's renewal requests and what it renewed or was renewed by."""

    template_name = "loans/renewals/bank_loan_panel.html"
    order = 40

    def __init__(self, loan: Loan) -> None:
        self.loan = loan

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        return {
            "loan": self.loan,
            "requests": self.loan.renewal_requests.select_related("lead"),
            "renewed_from": self.loan.renewal_of,
            "renewed_by": self.loan.renewals.all(),
        }


def bank_renewal_panel(request: AuthenticatedHttpRequest, loan: Loan, panels: list[Any]) -> None:
    """LOAN_PAGE_PANELS_HOOK (the bank page's view already checked the loan is the bank's)."""
    if request.user.is_bank_staff:
        panels.append(BankRenewalPanel(loan))
