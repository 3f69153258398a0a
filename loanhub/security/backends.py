"""Authentication backend for the test settings only."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


class TestClientAxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, except that Django's test ``Client.login()``
    (which calls ``authenticate()`` without a request) is let through. Every HTTP
    login path (portal, Wagtail admin, Django admin) passes the request and is
    checked exactly as in production. Never use this outside ``settings/test.py``."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
