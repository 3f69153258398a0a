from __future__ import annotations

from django.core.exceptions import PermissionDenied


class NotAuthorized(PermissionDenied):
    """No live authorization lets this viewer read this enterprise's credit data."""
