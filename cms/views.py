"""Thin views behind the portal's pages: each page's context (registered as its presenter,
see ``cms.presenters``), the marketplace and the comparison."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from . import selectors
from .choices import NewsCategory
from .forms import ProductFilterForm
from .presenters import presenter

MAX_COMPARE = 3


def paginate(request: HttpRequest, items: Any, *, per_page: int) -> PaginatorPage:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# ------------------------------------------------------------- pages' context


@presenter("home")
def home_context(request: HttpRequest, *, page: Any) -> dict[str, Any]:
    return {
        "stats": selectors.portal_statistics(),
        "zones": selectors.zone_list()[:4],
        "featured_products": selectors.product_featured(limit=6),
        "latest_news": selectors.news_latest(limit=5),
        "portal": selectors.portal_links(),
    }


@presenter("institution_index")
def institution_index_context(request: HttpRequest, *, page: Any) -> dict[str, Any]:
    return {"institution_pages": selectors.institution_page_list()}


@presenter("institution")
def institution_context(request: HttpRequest, *, page: Any) -> dict[str, Any]:
    return {"products": selectors.product_list_for_institution_page(page=page)}


@presenter("news_index")
def news_index_context(request: HttpRequest, *, page: Any) -> dict[str, Any]:
    category = request.GET.get("category", "")
    if category not in NewsCategory.values:
        category = ""
    return {
        "category": category,
        "category_query": f"category={category}" if category else "",
        "categories": NewsCategory.choices,
        "news_page": paginate(request, selectors.news_list(category=category or None), per_page=10),
    }


@presenter("zone_index")
def zone_index_context(request: HttpRequest, *, page: Any) -> dict[str, Any]:
    return {"zones": selectors.zone_list()}


@presenter("zone")
def zone_context(request: HttpRequest, *, page: Any) -> dict[str, Any]:
    return {"products_page": paginate(request, selectors.product_list_for_zone(tag=page.tag), per_page=12)}


# ------------------------------------------------------------ marketplace


@presenter("marketplace")
def product_marketplace(request: HttpRequest, *, page: Any) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else selectors.ProductFilters(open_only=True)
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


@presenter("compare")
def product_compare(request: HttpRequest, *, page: Any) -> HttpResponse:
    ids = _compare_ids(request)
    too_many = len(ids) > MAX_COMPARE
    products = selectors.product_get_many(ids=ids[:MAX_COMPARE])
    context = page.get_context(request)
    context.update(products=products, too_many=too_many, max_compare=MAX_COMPARE)
    return TemplateResponse(request, "cms/product_compare.html", context)
