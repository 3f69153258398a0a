"""Rate limits: token issuing per IP address, expensive reads per user (429 + Retry-After)."""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from loanhub.accounts.models import User
from loanhub.security.net import client_ip


class _ThrottleCache(SimpleRateThrottle):
    # A cache of their own: clearing it (tests) never touches other cached data.
    cache = caches["throttle"]


class AuthRateThrottle(_ThrottleCache):
    """Token requests per client IP (the proxy-aware one django-axes uses)."""

    scope = "auth"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class ExpensiveRateThrottle(_ThrottleCache):
    """Matching runs and credit-profile reads, per user (per IP when anonymous)."""

    scope = "expensive"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        ident = request.user.pk if isinstance(request.user, User) else client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
