from __future__ import annotations

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Facts every portal template needs: the user's role flags."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "portal_is_sme": authenticated and user.is_sme,
        "portal_is_bank": authenticated and user.is_bank_staff,
        "portal_is_admin": authenticated and (user.is_platform_admin or user.is_superuser),
        "portal_unread": user.notifications.filter(read_at__isnull=True).count() if authenticated else 0,
    }
