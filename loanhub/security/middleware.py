"""Content-Security-Policy on every response.

The public portal runs no inline script: its behaviour lives in
``static/js/portal.js``. Wagtail's and Django's admin sites need inline scripts and
styles, so paths under ``LOANHUB_CSP_RELAXED_PREFIXES`` get a policy that allows
them (still same-origin only).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_COMMON = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "frame-ancestors": "'self'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
PORTAL_POLICY = {
    **_COMMON,
    "script-src": "'self'",
    "style-src": "'self'",
    # style="width: 40%" on score bars; <style> elements stay forbidden.
    "style-src-attr": "'unsafe-inline'",
}
ADMIN_POLICY = {
    **_COMMON,
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
}


def policy_header(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.portal = policy_header(PORTAL_POLICY)
        self.admin = policy_header(ADMIN_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(tuple(settings.LOANHUB_CSP_RELAXED_PREFIXES))
            response["Content-Security-Policy"] = self.admin if relaxed else self.portal
        return response
