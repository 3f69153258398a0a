"""How a portal page reaches the views that present it.

A Wagtail page is two things: a model, which ``cms.selectors`` reads, and the entry
point of its URL (``get_context``, routes). Imports point one way — models ← selectors
← forms ← views — so a page does not import the views that present it. ``cms.views``
registers them here by name (``CmsConfig.ready`` imports it), and a page calls
``present(name, request, self)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest

Presenter = TypeVar("Presenter", bound=Callable[..., Any])

_presenters: dict[str, Callable[..., Any]] = {}


def presenter(name: str) -> Callable[[Presenter], Presenter]:
    """Register the decorated ``view(request, *, page)`` as the presenter ``name``."""

    def register(view: Presenter) -> Presenter:
        _presenters[name] = view
        return view

    return register


def present(name: str, request: HttpRequest, page: Any) -> Any:
    """What the presenter ``name`` returns for ``page``: a context dict or a response."""
    try:
        view = _presenters[name]
    except KeyError:
        raise LookupError(f"no presenter {name!r}: cms.views registers them (CmsConfig.ready)") from None
    return view(request, page=page)
