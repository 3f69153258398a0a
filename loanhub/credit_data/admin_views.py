"""Back office (Wagtail admin): file imports, their reports, category templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from loanhub.accounts.permissions import platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.replica import read_alias
from loanhub.security.exports import csv_response, csv_streaming_response

from .catalog import CATEGORIES, CATEGORY_BY_CODE
from .exceptions import ImportFileError
from .forms import ImportForm
from .models import ImportBatch
from .samples import allowed_values, sample_row
from .schema import COLUMNS, column_names
from .selectors import empty_batch_filter, import_batch_list
from .services import credit_records_import


@platform_admin_required
def import_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = credit_records_import(
                data=upload.read(), file_name=upload.name,
                category=form.cleaned_data["category"], user=request.user,
            )  # fmt: skip
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _("导入完成：新增 %(l)d，更新 %(u)d，重复跳过 %(s)d，拒收 %(r)d。")
                % {"l": batch.rows_loaded, "u": batch.rows_updated, "s": batch.rows_skipped, "r": batch.rows_rejected},
            )
            return redirect("credit_data_admin:batch", pk=batch.pk)
    show_empty = request.GET.get("empty") == "1"
    page = Paginator(import_batch_list(include_empty=show_empty), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "credit_data/admin/import_index.html",
        {
            "title": _("信用数据导入"),
            "icon": "upload",
            "form": form,
            "page": page,
            "show_empty": show_empty,
            "empty_count": import_batch_list().filter(empty_batch_filter()).count(),
            "formats": [(c, [(col, allowed_values(col)) for col in COLUMNS[c.code]]) for c in CATEGORIES],
        },
    )


@platform_admin_required
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("provider", "uploaded_by"), pk=pk)
    page = Paginator(batch.rejections.all(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "credit_data/admin/batch_detail.html",
        {"title": _("导入报告 #%(pk)d") % {"pk": batch.pk}, "icon": "list-ul", "batch": batch, "page": page},
    )


@platform_admin_required
def batch_rejections_export(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    """The rejected rows of an import as CSV: row number, reason, the cells as stored.

    The cells are what an uploader typed, so each is neutralized against formulas.
    """
    batch = get_object_or_404(ImportBatch, pk=pk)
    columns = column_names(batch.category)
    header = [_("行号"), _("原因"), *columns]
    rows = (
        [r.row_number, r.reason, *(r.raw.get(c, "") for c in columns)]
        for r in batch.rejections.using(read_alias()).iterator(chunk_size=2000)  # the read replica when configured
    )
    return csv_streaming_response(header, rows, filename=f"loanhub-import-{batch.pk}-rejections.csv")


@platform_admin_required
def category_template(request: AuthenticatedHttpRequest, category: str) -> HttpResponse:
    if category not in CATEGORY_BY_CODE:
        raise Http404
    # The header and one sample row (which says it is one: uploaded unchanged, it is rejected).
    return csv_response(column_names(category), [sample_row(category)], filename=f"loanhub-{category}-template.csv")
