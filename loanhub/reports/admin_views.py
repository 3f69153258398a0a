"""Back office (bank staff): ask to see an enterprise's report from a lead, and
download it once the enterprise agrees (logged in its access log)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.consent.models import Channel
from loanhub.institutions.selectors import membership_for_staff
from loanhub.matching.selectors import lead_get_for_staff

from .exceptions import ReportNotAllowed
from .selectors import report_request_get_for_staff
from .services import report_request_create, report_request_download
from .views import pdf_response


def _require_staff(request: AuthenticatedHttpRequest) -> None:
    if membership_for_staff(user=request.user) is None:
        raise PermissionDenied


@require_POST
def lead_report_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    lead = lead_get_for_staff(user=request.user, pk=pk)
    if lead is None:
        raise Http404  # another bank's lead does not exist for this officer
    try:
        report_request_create(lead=lead, officer=request.user)
    except (ValidationError, ReportNotAllowed) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("已向企业发出查看信用报告的申请，企业同意后可在此下载。"))
    return redirect("leads_admin:detail", pk=lead.pk)


def request_report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    report_request = report_request_get_for_staff(user=request.user, pk=pk)
    if report_request is None:
        raise Http404
    try:
        report = report_request_download(report_request=report_request, user=request.user, channel=Channel.BACK_OFFICE)
    except (ValidationError, ReportNotAllowed) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return redirect("leads_admin:detail", pk=report_request.lead_id)
    return pdf_response(report)
