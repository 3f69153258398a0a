"""Sends password-only sessions that need a second factor to the 2FA pages."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import User
from .two_factor import totp_device, two_factor_needed

# Reachable before the second factor: the 2FA pages themselves, logging out,
# switching language, and static files.
ALLOWED_PREFIXES = (
    "/accounts/2fa/setup/",
    "/accounts/2fa/verify/",
    "/accounts/logout/",
    "/cms-admin/logout/",
    "/django-admin/logout/",
    "/i18n/",
    "/static/",
    "/media/",
)


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: ``request.user.is_verified()`` is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The cheap path checks first: an API token call never loads the session's user.
        if (
            not request.path.startswith(ALLOWED_PREFIXES)
            and not _api_token_request(request)
            and request.user.is_authenticated
            and not request.user.is_verified()
            and two_factor_needed(request.user)
        ):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            code, message = "two_factor_required", _("需要先完成双因素认证。")
            # The API's common error shape (loanhub/api/exceptions.py).
            return JsonResponse({"error": {"code": code, "message": message, "details": None}}, status=403)
        enrolled = isinstance(request.user, User) and totp_device(request.user) is not None
        name = "accounts:2fa_verify" if enrolled else "accounts:2fa_setup"
        target = reverse(name)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


def _api_token_request(request: HttpRequest) -> bool:
    """An API call that authenticates with a token, not with this session: the token
    was issued after the second factor (loanhub/api/tokens.py), and DRF authenticates
    the token before the session, so the session's state does not matter."""
    return request.path.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "").startswith("Token ")
