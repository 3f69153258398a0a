"""Request context for the audit trail, and recording of refused requests (403)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import AuditKind, Outcome
from .services import audit_record, current_request


class AuditMiddleware:
    """Makes the request known to audit_record() and records every 403 response
    (PermissionDenied from a view, a DRF refusal, a CSRF failure)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                audit_record(
                    kind=AuditKind.PERMISSION_DENIED,
                    request=request,
                    outcome=Outcome.FAILURE,
                    method=request.method,
                )
            return response
        finally:
            current_request.reset(token)
