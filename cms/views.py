"""Thin views behind the portal's routable pages: marketplace, comparison, applying."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


from . import selectors
from .forms import ProductFilterForm

MAX_COMPARE = 3


def paginate(request: HttpRequest, items: Any, *, per_page: int) -> PaginatorPage:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def product_marketplace(request: HttpRequest, *, page: Any) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else selectors.ProductFilters()
    products = selectors.product_search(filters=filters)
    context = page.get_context(request)
    context.update(
        form=form,
        products_page=paginate(request, products, per_page=12),
        result_count=len(products),
        filtered=form.is_bound and any(v for k, v in request.GET.items() if k != "page"),
        query_without_page=_query_without_page(request),
        max_compare=MAX_COMPARE,
    )
    return TemplateResponse(request, "cms/product_index_page.html", context)


def _compare_ids(request: HttpRequest) -> list[int]:
    raw = ",".join(request.GET.getlist("ids"))
    ids: list[int] = []
    for part in raw.split(","):
        if part.strip().isdigit() and int(part) not in ids:
            ids.append(int(part))
    return ids


def product_compare(request: HttpRequest, *, page: Any) -> HttpResponse:
    ids = _compare_ids(request)
    too_many = len(ids) > MAX_COMPARE
    products = selectors.product_get_many(ids=ids[:MAX_COMPARE])
    context = page.get_context(request)
    context.update(products=products, too_many=too_many, max_compare=MAX_COMPARE)
    return TemplateResponse(request, "cms/product_compare.html", context)


