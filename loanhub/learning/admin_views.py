"""Back office (platform administrators only): the labelled book, challengers, the approval model."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus

from loanhub.accounts.permissions import platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.security.exports import csv_response

from .forms import ExportForm
from .selectors import MIN_SEASONING_MONTHS, OBSERVATION_MONTHS, outcome_summary
from .services import TRAIN_COMMAND, approval_status, book_build, book_rows, challenger_list, has_active_model
from .tasks import train_approval_task, train_challenger_task

OUTCOME_LABELS = {
    "bad": gettext_lazy("不良（观察期内逾期90天以上、违约或核销）"),
    "good": gettext_lazy("正常（已结清、续贷，或放款满观察期仍正常）"),
    "unknown": gettext_lazy("结果未定（不导出标签）"),
    "not_disbursed": gettext_lazy("已批准未放款"),
    "declined": gettext_lazy("未通过"),
}


def _index(request: AuthenticatedHttpRequest, form: ExportForm) -> HttpResponse:
    summary = outcome_summary()
    return render(
        request,
        "learning/admin/index.html",
        {
            "title": _("从贷后结果中学习"),
            "icon": "cogs",
            "form": form,
            "summary": [(str(OUTCOME_LABELS.get(k, k)), summary.get(k, 0)) for k in OUTCOME_LABELS],
            "total": sum(summary.values()),
            "observation_months": OBSERVATION_MONTHS,
            "seasoning_months": MIN_SEASONING_MONTHS,
            "train_command": TRAIN_COMMAND,
            "challengers": challenger_list(),
            "has_active_model": has_active_model(),
            "approval": approval_status(),
        },
    )


@platform_admin_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _index(request, ExportForm())


@platform_admin_required
@require_POST
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Download the labelled book as CSV (cells neutralized against formulas); audited."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _index(request, form)
    data = form.cleaned_data
    book = book_build(since=data["since"], until=data["until"], labelled_only=data["labelled_only"])
    header, rows = book_rows(book)
    audit_record(
        kind=AuditKind.CREDIT_DATA_READ, user=request.user, request=request, action="export_outcomes",
        channel="admin", rows=len(book.frame), since=data["since"], until=data["until"],
        outcomes=dict(book.counts),
    )  # fmt: skip
    return csv_response(header, rows, filename=f"loanhub-book-{timezone.localdate():%Y%m%d}.csv")


def _error_text(errors: list) -> str:
    """The exception's own message (all its lines), not the traceback."""
    if not errors:
        return ""
    error = errors[-1]
    marker = error.exception_class_path.rsplit(".", 1)[-1] + ": "
    text = error.traceback
    return " ".join(text[text.rfind(marker) + len(marker) :].split())[:600] if marker in text else text[-300:]


def _report(request: AuthenticatedHttpRequest, result: object, done: str) -> None:
    status = getattr(result, "status", None)
    if status == TaskResultStatus.FAILED:
        messages.error(request, _("训练失败：%(e)s") % {"e": _error_text(getattr(result, "errors", []))})
    elif status == TaskResultStatus.SUCCESSFUL:
        messages.success(request, done)
    else:
        messages.success(request, _("训练任务已开始，完成后刷新本页查看。"))


@platform_admin_required
@require_POST
def train_challenger(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = train_challenger_task.enqueue(request.user.pk)
    _report(request, result, _("挑战者模型已训练并完成对比，尚未启用；请在模型页查看对比后决定是否启用。"))
    return redirect("learning_admin:index")


@platform_admin_required
@require_POST
def train_approval(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = train_approval_task.enqueue(request.user.pk)
    _report(request, result, _("已根据各机构的审批决定学习获批可能性，匹配与排序将使用学习模型。"))
    return redirect("learning_admin:index")
