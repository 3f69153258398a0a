"""Back office (Wagtail admin): the audit trail for platform administrators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.permissions import platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.replica import read_alias
from loanhub.security.exports import csv_streaming_response

from .forms import AuditFilterForm
from .models import AuditEvent
from .presenters import event_sentence, object_label
from .selectors import audit_event_list

CSV_COLUMNS = [
    "at_utc", "kind", "outcome", "username", "object_type", "object_id", "object",
    "ip_address", "user_agent", "path", "details",
]  # fmt: skip


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_event_list(**{k: v for k, v in filters.items() if v})


@platform_admin_required
def audit_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events.select_related("user"), 50).get_page(request.GET.get("page"))
    rows = [(e, event_sentence(e), object_label(e)) for e in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audit/admin/index.html",
        {
            "title": _("审计日志"), "icon": "list-ul", "form": form, "page": page, "rows": rows,
            "querystring": "&" + params.urlencode() if params else "",
            "export_query": params.urlencode(),
        },
    )  # fmt: skip


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterator[list[object]]:
    for e in events.iterator(chunk_size=2000):
        yield [
            e.at.astimezone(UTC).isoformat(), e.kind, e.outcome, e.username,
            e.object_type, e.object_id, e.object_repr, e.ip_address or "", e.user_agent,
            e.path, e.details,
        ]  # fmt: skip


@platform_admin_required
def audit_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Streamed: each row is neutralized (a user agent may start with "=")."""
    _form, events = _filtered(request)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    # read from the read replica when configured: an export never loads the primary
    rows = _csv_rows(events.using(read_alias()))
    return csv_streaming_response(CSV_COLUMNS, rows, filename=f"loanhub-audit-{stamp}.csv")
