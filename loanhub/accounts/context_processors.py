from __future__ import annotations

from django.http import HttpRequest

from .models import User


def portal(request: HttpRequest) -> dict[str, bool | int]:
    """Facts every portal template needs: the user's role flags."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):  # anonymous, or a request without the auth middleware
        return {"portal_is_sme": False, "portal_is_bank": False, "portal_is_admin": False, "portal_unread": 0}
    authenticated = user.is_authenticated
    return {
        "portal_is_sme": authenticated and user.is_sme,
        "portal_is_bank": authenticated and user.is_bank_staff,
        "portal_is_admin": authenticated and (user.is_platform_admin or user.is_superuser),
        "portal_unread": user.notifications.filter(read_at__isnull=True).count() if authenticated else 0,
    }
