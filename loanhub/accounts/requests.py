"""Request types for views that only a logged-in user reaches.

``request.user`` is ``User | AnonymousUser`` to the type checker. A view behind
``login_required``, the Wagtail admin or an ``IsAuthenticated`` DRF permission gets a
real ``User``; annotating its ``request`` with these types says so once, instead of an
``isinstance`` check in every view (django-stubs' documented pattern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An ``HttpRequest`` whose ``user`` is authenticated (only ever an annotation)."""

    user: User


if TYPE_CHECKING:

    class AuthenticatedRequest(Request):
        """A DRF ``Request`` whose ``user`` is authenticated."""

        @property
        def user(self) -> User: ...

        @user.setter
        def user(self, value: User) -> None: ...

else:
    AuthenticatedRequest = Request
