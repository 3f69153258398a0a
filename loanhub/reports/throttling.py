"""The public verification's rate limit per client IP, for the API and the page."""

from __future__ import annotations

from django.core.cache import caches
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from loanhub.security.net import client_ip


class ReportVerifyThrottle(SimpleRateThrottle):
    """Anyone may verify, so the count is per IP address (the proxy-aware one
    django-axes uses); the rate is REST_FRAMEWORK's "report_verify"."""

    scope = "report_verify"
    cache = caches["throttle"]  # the throttle counters' own cache

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}
