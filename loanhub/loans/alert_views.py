"""Early-warning pages: the bank's 贷后预警 list and alert page (back office), the panel on the
loan page and the home page, and the SME's list of alerts raised about it (portal)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.ui.components import Component

from loanhub.accounts.home_panels import HomePanel, Tile
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.consent.models import Channel
from loanhub.enterprises.access import member_enterprise_or_404
from loanhub.institutions.models import InstitutionMembership
from loanhub.institutions.selectors import membership_for_staff

from .alert_forms import AcknowledgeForm, AlertFilterForm
from .alert_selectors import (
    AlertFilters,
    alert_counts_for_staff,
    alert_get_for_staff,
    alert_list_for_enterprise,
    alert_list_for_staff,
    coverage_for_alerts,
)
from .alerts import AlertError, alert_acknowledge, alert_close, alert_reads_log
from .models import AlertKind, AlertSeverity, AlertStatus, Loan, LoanAlert

PAGE_SIZE = 25


def _staff(request: AuthenticatedHttpRequest) -> InstitutionMembership:
    membership = membership_for_staff(user=request.user)
    if membership is None:
        raise PermissionDenied
    return membership


def _with_coverage(alerts: list[LoanAlert], request: AuthenticatedHttpRequest, detail: str) -> list[LoanAlert]:
    """Attach ``alert.coverage`` and log the details shown (one INSERT for the page)."""
    coverage = coverage_for_alerts(alerts)
    for alert in alerts:
        alert.coverage = coverage[alert.pk]  # type: ignore[attr-defined]  # a view-only attribute
    alert_reads_log(viewer=request.user, alerts=alerts, coverage=coverage, channel=Channel.BACK_OFFICE, detail=detail)
    return alerts


def alert_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    form = AlertFilterForm(request.GET)
    filters = form.filters()
    if form.dropped():
        messages.warning(request, _("已忽略无效的筛选条件：%(names)s。") % {"names": "、".join(form.dropped())})
    page = Paginator(alert_list_for_staff(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = _with_coverage(list(page.object_list), request, "预警列表")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "loans/alerts/alert_index.html",
        {
            "title": _("贷后预警"), "icon": "warning", "page": page, "params": request.GET,
            "querystring": "&" + query.urlencode() if query else "",
            "counts": alert_counts_for_staff(user=request.user),
            "severities": AlertSeverity.choices, "kinds": AlertKind.choices, "statuses": AlertStatus.choices,
            "filtered": filters != AlertFilters(),
        },
    )  # fmt: skip


def _alert_or_404(request: AuthenticatedHttpRequest, pk: int) -> LoanAlert:
    _staff(request)
    alert = alert_get_for_staff(user=request.user, pk=pk)
    if alert is None:
        raise Http404  # another bank's alert does not exist for this officer
    return alert


def alert_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _alert_page(request, _alert_or_404(request, pk))


def _alert_page(
    request: AuthenticatedHttpRequest, alert: LoanAlert, *, form: AcknowledgeForm | None = None
) -> HttpResponse:
    _with_coverage([alert], request, "预警详情")
    return render(
        request,
        "loans/alerts/alert_detail.html",
        {
            "title": _("贷后预警 #%(pk)d") % {"pk": alert.pk}, "icon": "warning", "alert": alert,
            "form": form or AcknowledgeForm(), "now": timezone.now(),
        },
        status=400 if form is not None else 200,
    )  # fmt: skip


@require_POST
def alert_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    try:
        if action == "acknowledge":
            form = AcknowledgeForm(request.POST)
            if not form.is_valid():
                return _alert_page(request, alert, form=form)
            alert_acknowledge(
                alert=alert, user=request.user, note=form.cleaned_data["note"], action=form.cleaned_data["action"]
            )
            messages.success(request, _("已确认预警。"))
        elif action == "close":
            alert_close(alert=alert, user=request.user)
            messages.success(request, _("已关闭预警。"))
        else:
            raise Http404
    except AlertError as exc:
        messages.error(request, str(exc))
    return redirect("loan_alerts_admin:detail", pk=alert.pk)


admin_urlpatterns = [
    path("", alert_index, name="index"),
    path("<int:pk>/", alert_detail, name="detail"),
    path("<int:pk>/<str:action>/", alert_action, name="action"),
]


# ------------------------------------------------------------- panels (back office)


class LoanAlertsPanel(Component):
    """The alerts of one loan, on the bank's loan page (``LOAN_PAGE_PANELS_HOOK``)."""

    template_name = "loans/alerts/loan_panel.html"
    order = 30

    def __init__(self, alerts: list[LoanAlert]) -> None:
        self.alerts = alerts

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        return {"alerts": self.alerts}


def alert_loan_panel(request: AuthenticatedHttpRequest, loan: Loan, panels: list[Any]) -> None:
    if not request.user.is_bank_staff:
        return
    alerts = list(
        alert_list_for_staff(user=request.user, filters=AlertFilters(status="all")).filter(loan=loan)[:PAGE_SIZE]
    )
    panels.append(LoanAlertsPanel(_with_coverage(alerts, request, "贷款详情")))


def alert_home_panel(request: AuthenticatedHttpRequest, panels: list[Component]) -> None:
    """Bank staff: open alerts, high ones, overdue ones (counts, no details)."""
    if not request.user.is_bank_staff or membership_for_staff(user=request.user) is None:
        return
    counts = alert_counts_for_staff(user=request.user)
    base = reverse("loan_alerts_admin:index")
    tiles = [
        Tile(_("待处理预警"), counts["open"], base + "?status=open"),
        Tile(_("高风险预警"), counts["high"], base + "?status=open&severity=high", alert=True),
        Tile(_("超时未确认"), counts["overdue"], base + "?status=open&overdue=on", alert=True),
    ]
    panels.append(HomePanel(name="loan-alerts", title=_("贷后预警"), order=15, tiles=tiles))


# ------------------------------------------------------------------- SME portal


@login_required
def enterprise_alerts(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    """关于本企业的贷后预警: that an alert was raised (kind, date, bank, status), never the bank's
    notes; with a link to object to the underlying record."""
    enterprise = member_enterprise_or_404(request, uscc)
    page = Paginator(alert_list_for_enterprise(enterprise=enterprise), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "loans/alerts/enterprise_alerts.html", {"enterprise": enterprise, "page": page})


class SmeLoanAlertsPanel(Component):
    """The alerts raised about one loan, on the SME's loan page (``SME_LOAN_PAGE_PANELS_HOOK``)."""

    template_name = "loans/alerts/sme_loan_panel.html"
    order = 30

    def __init__(self, loan: Loan, alerts: list[LoanAlert]) -> None:
        self.loan = loan
        self.alerts = alerts

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        return {"alerts": self.alerts, "enterprise": self.loan.enterprise}


def sme_loan_panel(request: AuthenticatedHttpRequest, loan: Loan, panels: list[Any]) -> None:
    """Only the enterprise's own members reach the SME loan page (its view checks membership)."""
    alerts = list(alert_list_for_enterprise(enterprise=loan.enterprise).filter(loan=loan)[:PAGE_SIZE])
    panels.append(SmeLoanAlertsPanel(loan, alerts))
