"""Thin views behind the portal's routable pages: marketplace, comparison, applying."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from loanhub.enterprises.selectors import enterprise_list_for_member
from loanhub.matching.exceptions import MatchingError
from loanhub.matching.services import product_application_create

from . import selectors
from .forms import ApplyForm, ProductFilterForm

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


def product_apply(request: HttpRequest, *, product: Any) -> HttpResponse:
    """Confirm, then submit an application (GET shows the step, POST submits)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enterprises = enterprise_list_for_member(user=request.user)
    if not enterprises.exists():
        messages.error(request, _("只有已加入企业的企业用户可以申请融资产品。"))
        return redirect(product.url)
    form = ApplyForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        try:
            application, created = product_application_create(
                user=request.user,
                enterprise=form.cleaned_data["enterprise"],
                product=product,
                note=form.cleaned_data["note"],
            )
        except MatchingError as error:
            messages.error(request, str(error))
            return redirect(product.url)
        if created:
            messages.success(request, _("申请已提交，银行客户经理将尽快与您联系。"))
        else:
            messages.info(request, _("您已申请过该产品"))
        return redirect(product.url)
    context = product.get_context(request)
    context.update(form=form)
    return TemplateResponse(request, "cms/product_apply.html", context)
