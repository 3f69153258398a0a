"""Portal cache invalidation: any publication change makes cached pages stale."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from .middleware import page_cache_clear


def _clear(**_kwargs: Any) -> None:
    page_cache_clear()


def register_signal_handlers() -> None:
    page_published.connect(_clear, dispatch_uid="cms-page-cache-published")
    page_unpublished.connect(_clear, dispatch_uid="cms-page-cache-unpublished")
    post_page_move.connect(_clear, dispatch_uid="cms-page-cache-moved")
    post_delete.connect(_clear, sender=Page, dispatch_uid="cms-page-cache-deleted")
