"""Bank workbench (back office): the bank's loans, a loan page with its schedule and
performance history, reporting performance one loan at a time or by file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import hooks

from cms.selectors import product_choices_for_institution
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.consent.models import Channel
from loanhub.credit_data.exceptions import ImportFileError
from loanhub.institutions.models import InstitutionMembership
from loanhub.institutions.selectors import membership_for_staff
from loanhub.security.exports import csv_response

from .forms import LoanFilterForm, PerformanceReportForm, PerformanceUploadForm
from .imports import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    check_file_size,
    performance_file_import,
    rejections_get,
    rejections_keep,
    template_rows,
)
from .models import Loan, LoanStatus, ReportChannel
from .selectors import loan_counts, loan_get, loan_list, loan_reports, loan_schedule
from .services import ReportResult, loan_read_log, performance_report

PAGE_SIZE = 25
MATURING_DAYS = 30
MAX_REJECTIONS_SHOWN = 500
# Extension point for other post-loan sections of the loan page (alerts, renewals, compensation):
#   @hooks.register(LOAN_PAGE_PANELS_HOOK)
#   def my_panel(request, loan, panels): panels.append(<a wagtail Component with an ``order``>)
LOAN_PAGE_PANELS_HOOK = "construct_loan_page_panels"


def _staff(request: AuthenticatedHttpRequest) -> InstitutionMembership:
    membership = membership_for_staff(user=request.user)
    if membership is None:
        raise PermissionDenied
    return membership


def loan_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _staff(request)
    form = LoanFilterForm(request.GET)
    filters = form.filters()
    if form.dropped():
        messages.warning(request, _("已忽略无效的筛选条件：%(names)s。") % {"names": "、".join(form.dropped())})
    institution = membership.institution
    loans = loan_list(institution=institution, filters=filters)
    page = Paginator(loans, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "loans/admin/loan_index.html",
        {
            "title": _("贷款"), "icon": "form", "page": page, "params": request.GET,
            "querystring": "&" + query.urlencode() if query else "", "filtered": bool(filters),
            "statuses": LoanStatus.choices, "products": product_choices_for_institution(institution=institution),
            "counts": loan_counts(institution=institution, maturing_days=MATURING_DAYS),
            "maturing_days": MATURING_DAYS, "today": timezone.localdate(),
        },
    )  # fmt: skip


def _loan_or_404(request: AuthenticatedHttpRequest, pk: int) -> Loan:
    _staff(request)
    loan = loan_get(viewer=request.user, pk=pk)
    if loan is None:
        raise Http404  # another bank's loan does not exist for this officer
    return loan


def _panels(request: AuthenticatedHttpRequest, loan: Loan) -> list[Any]:
    panels: list[Any] = []
    for fn in hooks.get_hooks(LOAN_PAGE_PANELS_HOOK):
        fn(request, loan, panels)
    return sorted(panels, key=lambda p: getattr(p, "order", 100))


def loan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _loan_page(request, _loan_or_404(request, pk))


def _loan_page(
    request: AuthenticatedHttpRequest, loan: Loan, *, form: PerformanceReportForm | None = None
) -> HttpResponse:
    loan_read_log(loan=loan, viewer=request.user, channel=Channel.BACK_OFFICE, detail=f"贷款详情：贷款 #{loan.pk}")
    initial: dict[str, Any] = {
        "status": loan.status,
        "outstanding": loan.outstanding,
        "days_past_due": loan.days_past_due,
    }
    if not loan.is_live:
        initial["as_of"] = loan.status_as_of  # only the closing day may still be corrected
    return render(
        request,
        "loans/admin/loan_detail.html",
        {
            "title": _("贷款 #%(pk)d") % {"pk": loan.pk}, "icon": "form", "loan": loan,
            "schedule": loan_schedule(loan=loan), "reports": loan_reports(loan=loan),
            "form": form or PerformanceReportForm(initial=initial), "panels": _panels(request, loan),
            "today": timezone.localdate(),
        },
        status=400 if form is not None else 200,
    )  # fmt: skip


@require_POST
def loan_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loan = _loan_or_404(request, pk)
    form = PerformanceReportForm(request.POST)
    if not form.is_valid():
        return _loan_page(request, loan, form=form)
    try:
        outcome = performance_report(loan=loan, **form.cleaned_data, channel=ReportChannel.WORKBENCH, user=request.user)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _loan_page(request, loan, form=form)
    day = outcome.report.as_of.isoformat()
    if outcome.result == ReportResult.CREATED:
        messages.success(request, _("已记录 %(d)s 的贷款表现。") % {"d": day})
    elif outcome.result == ReportResult.CORRECTED:
        messages.success(request, _("已更正 %(d)s 的报告（已记入审计日志）。") % {"d": day})
    else:
        messages.info(request, _("%(d)s 已有相同的报告，未作更改。") % {"d": day})
    return redirect("loans_admin:detail", pk=loan.pk)


def loan_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _staff(request)
    form = PerformanceUploadForm(request.POST, request.FILES) if request.method == "POST" else PerformanceUploadForm()
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_file_size(upload.size)
            report = performance_file_import(
                data=upload.read(), file_name=upload.name, institution=membership.institution, user=request.user
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
    rejected = report.rejected if report else []
    rejections_token = rejections_keep(user=request.user, rejected=rejected) if rejected else ""
    return render(
        request,
        "loans/admin/loan_upload.html",
        {
            "title": _("批量报告贷款表现"), "icon": "upload", "form": form, "report": report,
            "rejections_token": rejections_token,
            "rejections": report.rejected[:MAX_REJECTIONS_SHOWN] if report else [],
            "max_shown": MAX_REJECTIONS_SHOWN, "max_rows": MAX_ROWS, "max_bytes": MAX_FILE_BYTES,
            "statuses": LoanStatus.choices,
        },
        status=400 if form.errors else 200,
    )  # fmt: skip


def loan_upload_rejections(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The rejected rows of the uploader's last file as CSV: row number, reasons, the cells as
    uploaded (neutralized against formulas), to correct and upload again."""
    _staff(request)
    rows = rejections_get(user=request.user, token=token)
    if rows is None:
        messages.error(request, _("拒收记录已过期（保留 1 小时），请重新上传文件查看。"))
        return redirect("loans_admin:upload")
    header = [_("行号"), _("原因"), *(str(COLUMNS[k][0]) for k in COLUMNS)]
    return csv_response(header, rows, filename="loanhub-loan-performance-rejected.csv")


def loan_upload_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    header, rows = template_rows()
    return csv_response(header, rows, filename="loanhub-loan-performance-template.csv")
