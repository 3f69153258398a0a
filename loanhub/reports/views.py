"""Portal pages: the SME's reports (issue, download, revoke, answer banks' requests)
and the public verification page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.enterprises.access import member_enterprise_or_404
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.selectors import enterprise_is_owner

from .exceptions import ReportFontMissing
from .fonts import report_font_file
from .forms import ApproveForm, LookupForm, ReportForm, VerifyUploadForm
from .models import CreditReport
from .selectors import (
    report_digest_matches,
    report_get_for_member,
    report_get_public,
    report_list_for_enterprise,
    report_request_get_for_member,
    report_requests_for_enterprise,
    report_valid_list_for_enterprise,
)
from .services import (
    report_issue,
    report_request_approve,
    report_request_decline,
    report_revoke,
)
from .throttling import ReportVerifyThrottle


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


def _index_page(
    request: AuthenticatedHttpRequest, enterprise: Enterprise, form: ReportForm | None = None
) -> HttpResponse:
    page = Paginator(report_list_for_enterprise(enterprise=enterprise), 20).get_page(request.GET.get("page"))
    context = {
        "enterprise": enterprise,
        "is_owner": enterprise_is_owner(user=request.user, enterprise=enterprise),
        "form": form or ReportForm(),
        "page": page,
        "requests": report_requests_for_enterprise(enterprise=enterprise)[:50],
        "valid_reports": report_valid_list_for_enterprise(enterprise=enterprise)[:20],
        "font_missing": report_font_file() is None,
        "font_message": ReportFontMissing().messages[0],
    }
    return render(request, "reports/index.html", context, status=400 if form and form.errors else 200)


@login_required
def report_index(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    return _index_page(request, member_enterprise_or_404(request, uscc))


@login_required
@require_POST
def report_new(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            report = report_issue(enterprise=enterprise, user=request.user, **form.cleaned_data)
        except ReportFontMissing as exc:
            messages.error(request, exc.messages[0])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("信用报告 %(number)s 已生成，可下载或分享核验链接。") % {"number": report.number}
            )
            return redirect("reports:index", uscc=enterprise.uscc)
    return _index_page(request, enterprise, form)


def pdf_response(report: CreditReport) -> HttpResponse:
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_pdf(request: AuthenticatedHttpRequest, uscc: str, number: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    report = report_get_for_member(user=request.user, number=number, with_pdf=True)
    if report is None or report.enterprise_id != enterprise.pk:
        raise Http404
    return pdf_response(report)


@login_required
@require_POST
def report_revoke_view(request: AuthenticatedHttpRequest, uscc: str, number: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    report = report_get_for_member(user=request.user, number=number)
    if report is None or report.enterprise_id != enterprise.pk:
        raise Http404
    report.enterprise = enterprise
    try:
        report_revoke(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("报告 %(number)s 已撤回，核验页将显示“已撤回”。") % {"number": report.number})
    return redirect("reports:index", uscc=enterprise.uscc)


@login_required
@require_POST
def request_approve(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    report_request = report_request_get_for_member(user=request.user, uscc=enterprise.uscc, pk=pk)
    if report_request is None:
        raise Http404
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要提供的报告。"))
        return redirect("reports:index", uscc=enterprise.uscc)
    chosen = form.cleaned_data["report"]
    report = None
    if chosen != "new":
        report = report_get_for_member(user=request.user, number=chosen)
        if report is None or report.enterprise_id != enterprise.pk:
            raise Http404
    try:
        report_request_approve(
            report_request=report_request,
            user=request.user,
            report=report,
            include_score=form.cleaned_data["include_score"],
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已同意 %(bank)s 查看信用报告。") % {"bank": report_request.institution.name})
    return redirect("reports:index", uscc=enterprise.uscc)


@login_required
@require_POST
def request_decline(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    report_request = report_request_get_for_member(user=request.user, uscc=enterprise.uscc, pk=pk)
    if report_request is None:
        raise Http404
    try:
        report_request_decline(report_request=report_request, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已拒绝 %(bank)s 的申请。") % {"bank": report_request.institution.name})
    return redirect("reports:index", uscc=enterprise.uscc)


# ------------------------------------------------------------- public pages


def verify_lookup(request: HttpRequest) -> HttpResponse:
    """/verify/: type a report number (or follow a link with ?number=)."""
    form = LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("reports_public:verify", number=form.cleaned_data["number"])
    return render(request, "reports/verify_lookup.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """The public verification page: anyone, no login. POST checks an uploaded copy."""
    report = report_get_public(number=number)
    if report is None:
        context = {"number": number[:40], "form": LookupForm()}
        return render(request, "reports/verify_unknown.html", context, status=404)
    form, matches, status = VerifyUploadForm(), None, 200
    if request.method == "POST":
        throttle = ReportVerifyThrottle()
        # A DRF throttle on a plain Django view: it keys on the client IP alone.
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            messages.error(request, _("核验过于频繁，请稍后再试。"))
            status = 429
        else:
            form = VerifyUploadForm(request.POST, request.FILES)
            if form.is_valid():
                matches = report_digest_matches(report=report, sha256=form.cleaned_data["file"])
            else:
                status = 400
    context = {"report": report, "form": form, "matches": matches}
    return render(request, "reports/verify.html", context, status=status)
