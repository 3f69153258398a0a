"""The one exception handler of the API: every refusal is JSON in one shape,

    {"error": {"code": "...", "message": "...", "details": ...}}

DRF's own errors, Django's PermissionDenied / ValidationError / Http404 and the
apps' typed exceptions (matching, consent, scoring) all pass through here.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from loanhub.matching import exceptions as matching
from loanhub.scoring.exceptions import NoActiveModel

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """An error raised by the API layer itself, with its status and code."""

    def __init__(self, status_code: int, code: str, message: str, details: object = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details


def error_body(code: str, message: str, details: object = None) -> dict:
    return {"error": {"code": code, "message": str(message), "details": details}}


def _matching_error(exc: matching.MatchingError) -> tuple[int, str, object]:
    if isinstance(exc, matching.LeadAlreadyClaimed):
        return 409, "lead_already_claimed", None
    if isinstance(exc, matching.LeadStateError):
        return 409, "lead_state", None
    if isinstance(exc, matching.NeedLocked):
        return 409, "need_locked", None
    if isinstance(exc, matching.ConsentMissing):
        banks = [{"id": b.pk, "name": b.name, "short_name": b.short_name} for b in exc.banks]
        return 409, "consent_missing", {"banks": banks, "applied": exc.applied}
    if isinstance(exc, matching.NotEligible):
        return 422, "not_eligible", {"reasons": [str(r) for r in exc.reasons]}
    if isinstance(exc, matching.ProductNotOpen):
        return 422, "product_not_open", None
    if isinstance(exc, (matching.LeadNotAllowed, matching.NotEnterpriseMember)):
        return 403, "permission_denied", None
    return 400, "matching_error", None


def _validation_details(exc: DjangoValidationError) -> object:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _flatten_message(detail: object) -> str:
    """The first human message of a DRF error detail (a dict, list or string)."""
    while isinstance(detail, (dict, list)) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail) if detail else _("请求无效。")


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApiError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
    if isinstance(exc, matching.MatchingError):
        code_status, code, details = _matching_error(exc)
        return Response(error_body(code, str(exc), details), status=code_status)
    if isinstance(exc, NoActiveModel):
        return Response(error_body("no_active_model", str(exc)), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, DjangoValidationError):
        details = _validation_details(exc)
        return Response(error_body("invalid", _flatten_message(details), details), status=400)
    if isinstance(exc, PermissionDenied):  # keep the service's message, if it gave one
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)  # Http404, PermissionDenied, APIException
    if response is None:
        return None  # a bug: Django's 500 handler and the error log take it
    return _reshape(exc, response)


CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
    429: "throttled",
}


def _reshape(exc: Exception, response: Response) -> Response:
    data = response.data
    code = CODES.get(response.status_code, "error")
    details = None
    if isinstance(exc, exceptions.ValidationError):
        message, details = _flatten_message(data), data
    elif isinstance(exc, Http404):
        message = _("未找到。")
    else:
        message = data.get("detail", "") if isinstance(data, dict) else _flatten_message(data)
        if isinstance(exc, exceptions.AuthenticationFailed):
            code = "authentication_failed"
        elif isinstance(exc, exceptions.Throttled) and (wait := getattr(exc, "wait", None)):  # not in the stubs
            details = {"retry_after": int(wait + 0.999)}
    response.data = error_body(code, message, details)
    return response
