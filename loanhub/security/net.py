"""The client's IP address, behind a known number of trusted reverse proxies."""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with ``LOANHUB_TRUSTED_PROXY_COUNT = n`` the n-th address from
    the right of X-Forwarded-For (the one our own proxy saw). Entries further left
    are client-supplied and never trusted."""
    proxies = getattr(settings, "LOANHUB_TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR")
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ip_address(candidate)) if candidate else None
    except ValueError:
        return None
