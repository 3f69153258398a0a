"""Authentication backend for the test settings only."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class TestClientAxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, except that Django's test ``Client.login()``
    (which calls ``authenticate()`` without a request) is let through. Every HTTP
    login path (portal, Wagtail admin, Django admin) passes the request and is
    checked exactly as in production. Never use this outside ``settings/test.py``."""

    def authenticate(self, request, username=None, password=None, **kwargs):  # noqa: ANN001, ANN201
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
