"""Cache of portal pages for anonymous visitors, cleared whenever a page is published.

Only pages Wagtail serves are cached, only for anonymous GETs, only 200 responses,
and never while a flash message is waiting. The key is path + query string +
language + a generation number; publishing, unpublishing, moving or deleting any
page bumps the generation (see ``cms.signal_handlers``), because one product
publication changes the home page, the marketplace, its zone and its bank page.

The page shell holds a CSRF token (language switcher). A cached page would carry
the first visitor's token, so on every hit the token is replaced with one for the
current visitor.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from wagtail.models import Page
from wagtail.views import serve as wagtail_serve

GENERATION_KEY = "cms:page-generation"
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def page_cache() -> BaseCache:
    return caches["pages"]


def page_cache_clear() -> None:
    """Make every cached page stale at once (cheap: one counter)."""
    cache = page_cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def _generation() -> str:
    # The newest publication time joins the counter so that a publication made by
    # another process (or a fresh database) can never be answered from the cache.
    newest = Page.objects.aggregate(newest=Max("last_published_at"))["newest"]
    counter = page_cache().get_or_set(GENERATION_KEY, 1, None)
    return f"{counter}:{newest.timestamp() if newest else 0}"


def _key(request: HttpRequest) -> str:
    raw = "|".join(
        [
            request.get_host(),
            request.get_full_path(),
            getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            _generation(),
        ]
    )
    return "cms:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable_request(request: HttpRequest) -> bool:
    return request.method == "GET" and not request.user.is_authenticated and not len(getattr(request, "_messages", ()))


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_cms_page_cache_key", None)
        if key and response.status_code == 200 and not response.streaming:
            if not len(getattr(request, "_messages", ())):
                value = (response.content, response["Content-Type"])
                page_cache().set(key, value, settings.LOANHUB_PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        if view_func is not wagtail_serve or not _cacheable_request(request):
            return None
        key = _key(request)
        cached = page_cache().get(key)
        if cached is None:
            request._cms_page_cache_key = key  # type: ignore[attr-defined]  # read back in process_response
            return None
        content, content_type = cached
        token = get_token(request).encode()
        response = HttpResponse(
            CSRF_INPUT.sub(rb"\g<1>" + token + rb"\g<2>", content),
            content_type=content_type,
        )
        response["X-Page-Cache"] = "hit"
        return response
