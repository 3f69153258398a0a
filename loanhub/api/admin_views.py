"""Back office (Wagtail admin): a bank's webhook endpoints and their delivery log.

Like the lead workbench, only the bank's own staff see its endpoints (another bank's
are a 404) and platform administrators do not manage them. Managers add, edit,
deactivate, delete and retry; officers read. Every write goes through the service
functions in ``webhooks.py``, so the API's validation (HTTPS, public addresses
only) applies here too.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.institutions.models import InstitutionMembership, StaffRole
from loanhub.institutions.selectors import membership_for_staff

from .forms import EndpointCreateForm, EndpointEditForm, add_service_errors
from .models import DeliveryStatus, WebhookEndpoint
from .tasks import delivery_enqueue
from .webhooks import (
    RETRYABLE,
    delivery_list,
    delivery_retry_now,
    webhook_create,
    webhook_delete,
    webhook_list,
    webhook_list_with_last_delivery,
    webhook_update,
)

ENDPOINTS_PER_PAGE = 25
DELIVERIES_PER_PAGE = 20
SECRET_ONCE = "webhooks_admin_secret_once"  # noqa: S105 — a session key's name, not a secret


def _staff(request: AuthenticatedHttpRequest) -> InstitutionMembership:
    membership = membership_for_staff(user=request.user)
    if membership is None:
        raise PermissionDenied
    return membership


def _manager(request: AuthenticatedHttpRequest) -> InstitutionMembership:
    membership = _staff(request)
    if membership.role != StaffRole.MANAGER:
        raise PermissionDenied  # officers read; the bank's manager configures
    return membership


def _endpoint_or_404(membership: InstitutionMembership, pk: int) -> WebhookEndpoint:
    return get_object_or_404(webhook_list(institution=membership.institution), pk=pk)


def _show_secret_once(request: AuthenticatedHttpRequest, endpoint: WebhookEndpoint, *, created: bool) -> HttpResponse:
    """Redirect (so a reload does not post again) to the page that shows the secret.
    The session holds only which endpoint may show it, once; never the secret."""
    request.session[SECRET_ONCE] = {"pk": endpoint.pk, "created": created}
    return redirect("webhooks_admin:secret", pk=endpoint.pk)


def webhook_secret(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(_manager(request), pk)
    once = request.session.pop(SECRET_ONCE, None)
    if not once or once.get("pk") != endpoint.pk:
        messages.info(request, _("签名密钥只在添加或更换后显示一次；如已遗失，请更换签名密钥。"))
        return redirect("webhooks_admin:detail", pk=endpoint.pk)
    created = bool(once.get("created"))
    response = render(
        request, "webhooks/admin/secret.html",
        {"title": _("接收地址已添加") if created else _("签名密钥已更换"), "icon": "link",
         "endpoint": endpoint, "secret": endpoint.secret, "created": created},
    )  # fmt: skip
    add_never_cache_headers(response)
    return response


def webhook_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _staff(request)
    endpoints = webhook_list_with_last_delivery(institution=membership.institution)
    page = Paginator(endpoints, ENDPOINTS_PER_PAGE).get_page(request.GET.get("page"))
    # last_status: annotated by webhook_list_with_last_delivery
    rows = [
        (e, DeliveryStatus(status).label if (status := getattr(e, "last_status", None)) else None)
        for e in page.object_list
    ]
    return render(
        request,
        "webhooks/admin/index.html",
        {
            "title": _("Webhook 推送"), "icon": "link", "page": page, "rows": rows,
            "can_manage": membership.role == StaffRole.MANAGER, "querystring": "",
        },
    )  # fmt: skip


def webhook_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _manager(request)
    form = EndpointCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_create(institution=membership.institution, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _show_secret_once(request, endpoint, created=True)
    return render(request, "webhooks/admin/form.html", {"title": _("添加接收地址"), "icon": "link", "form": form})


def webhook_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _manager(request)
    endpoint = _endpoint_or_404(membership, pk)
    initial = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description,
               "is_active": endpoint.is_active}  # fmt: skip
    form = EndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "new_secret"}
        if form.cleaned_data["new_secret"]:
            changed["secret"] = ""  # the service generates a new one
        try:
            webhook_update(endpoint=endpoint, **changed)
        except ValidationError as exc:
            endpoint.refresh_from_db()
            add_service_errors(form, exc)
        else:
            if "secret" in changed:
                return _show_secret_once(request, endpoint, created=False)
            messages.success(request, _("接收地址已保存。"))
            return redirect("webhooks_admin:detail", pk=endpoint.pk)
    return render(
        request, "webhooks/admin/form.html",
        {"title": _("编辑接收地址"), "icon": "link", "form": form, "endpoint": endpoint},
    )  # fmt: skip


@require_POST
def webhook_set_active(request: AuthenticatedHttpRequest, pk: int, *, active: bool) -> HttpResponse:
    endpoint = _endpoint_or_404(_manager(request), pk)
    webhook_update(endpoint=endpoint, is_active=active)
    messages.success(request, _("已启用，新的线索事件将推送到该地址。") if active else _("已停用，不再向该地址推送。"))
    return redirect("webhooks_admin:detail", pk=endpoint.pk)


def webhook_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only the POST from that page deletes."""
    endpoint = _endpoint_or_404(_manager(request), pk)
    if request.method == "POST":
        url = endpoint.url
        webhook_delete(endpoint=endpoint)
        messages.success(request, _("已删除接收地址 %(url)s 及其投递记录。") % {"url": url})
        return redirect("webhooks_admin:index")
    return render(
        request, "webhooks/admin/confirm_delete.html",
        {"title": _("删除接收地址"), "icon": "bin", "endpoint": endpoint, "deliveries": endpoint.deliveries.count()},
    )  # fmt: skip


def webhook_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _staff(request)
    endpoint = _endpoint_or_404(membership, pk)
    deliveries = delivery_list(endpoint=endpoint)
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/admin/detail.html",
        {
            "title": _("接收地址 #%(pk)d") % {"pk": endpoint.pk}, "icon": "link", "endpoint": endpoint,
            "page": page, "statuses": DeliveryStatus.choices, "status": status,
            "querystring": f"&status={status}" if status in DeliveryStatus.values else "",
            "can_manage": membership.role == StaffRole.MANAGER, "retryable": RETRYABLE,
            "max_attempts": settings.LOANHUB_WEBHOOK_MAX_ATTEMPTS,
        },
    )  # fmt: skip


@require_POST
def delivery_retry(request: AuthenticatedHttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(_manager(request), pk)
    delivery = get_object_or_404(endpoint.deliveries.select_related("endpoint"), pk=delivery_pk)
    try:
        delivery_retry_now(delivery=delivery, enqueue=delivery_enqueue)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已立即重试，结果见下方投递记录。"))
    return redirect("webhooks_admin:detail", pk=endpoint.pk)
