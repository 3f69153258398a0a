"""Back office: the business-licence review queue (platform administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanhub.accounts.permissions import platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.security.masking import mask_id_number, mask_phone

from .forms import LicenceRejectForm
from .models import BusinessLicence, LicenceStatus
from .selectors import licence_queue
from .verification import licence_approve, licence_reject

PAGE_SIZE = 20


@platform_admin_required
def licence_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    queue = licence_queue(status=None if show_all else LicenceStatus.PENDING)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enterprises/admin/licence_index.html",
        {
            "title": _("企业认证审核"),
            "icon": "doc-full",
            "page": page,
            "show_all": show_all,
            "querystring": "&all=1" if show_all else "",
            "pending_count": licence_queue().count(),
        },
    )


def _detail(
    request: HttpRequest, licence: BusinessLicence, reject_form: LicenceRejectForm | None = None
) -> HttpResponse:
    enterprise = licence.enterprise
    return render(
        request,
        "enterprises/admin/licence_detail.html",
        {
            "title": _("营业执照审核 #%(pk)d") % {"pk": licence.pk},
            "icon": "doc-full",
            "licence": licence,
            "enterprise": enterprise,
            "masked_id_number": mask_id_number(enterprise.legal_rep_id_number),
            "masked_phone": mask_phone(enterprise.legal_rep_phone),
            "reject_form": reject_form or LicenceRejectForm(),
        },
    )


def _licence(pk: int) -> BusinessLicence:
    qs = BusinessLicence.objects.select_related("enterprise", "uploaded_by", "reviewed_by")
    return get_object_or_404(qs, pk=pk)


@platform_admin_required
def licence_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _licence(pk))


@platform_admin_required
@require_POST
def licence_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    licence = _licence(pk)
    form = LicenceRejectForm(request.POST)
    try:
        if request.POST.get("decision") == "approve":
            licence_approve(licence=licence, admin=request.user)
            messages.success(request, _("已通过，企业已完成认证并收到通知。"))
        elif form.is_valid():
            licence_reject(licence=licence, admin=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("已驳回，企业已收到通知和驳回理由。"))
        else:
            return _detail(request, licence, reject_form=form)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("enterprises_admin:licence", pk=pk)
    return redirect("enterprises_admin:index")
