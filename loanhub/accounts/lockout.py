"""The answer to a password re-check refused by the lockout (django-axes)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def recheck_locked_response(request: HttpRequest) -> HttpResponse:
    """Log out and show the lockout page: login from here is locked too, so the
    session that could not prove its password ends with it."""
    logout(request)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/lockout.html", context, status=429)
