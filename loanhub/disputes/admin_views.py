"""Back office: handle objections (within 20 days) and credit-repair requests."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.permissions import platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.consent.models import Channel
from loanhub.consent.services import access_log_record

from .models import Objection, ObjectionStatus, RepairRequest
from .selectors import objection_list, repair_list
from .services import objection_resolve, repair_decide


@platform_admin_required
def dispute_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "disputes/admin/index.html",
        {
            "title": _("异议与信用修复"),
            "icon": "warning",
            "objections": objection_list(open_only=not show_all)[:200],
            "repairs": repair_list(pending_only=not show_all)[:200],
            "show_all": show_all,
            "today": timezone.localdate(),
        },
    )


def _log_read(request: AuthenticatedHttpRequest, case: Objection | RepairRequest, purpose: str) -> None:
    """An administrator opening a case reads the enterprise's record: log it."""
    access_log_record(
        enterprise=case.enterprise, user=request.user, categories=[case.record.category],
        purpose=purpose, channel=Channel.BACK_OFFICE, detail=f"{purpose} #{case.pk}",
    )  # fmt: skip


def _errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


@platform_admin_required
def objection_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("enterprise", "record"), pk=pk)
    if request.method == "POST":
        corrected = None
        raw = request.POST.get("corrected_payload", "").strip()
        try:
            if request.POST.get("outcome") == ObjectionStatus.CORRECTED:
                try:
                    corrected = json.loads(raw) if raw else None
                except json.JSONDecodeError as exc:
                    raise ValidationError(_('更正内容必须是 JSON 对象，例如 {"severity": "轻微"}。')) from exc
                if corrected is not None and not isinstance(corrected, dict):
                    raise ValidationError(_("更正内容必须是 JSON 对象。"))
            objection_resolve(
                objection=objection, admin=request.user, outcome=request.POST.get("outcome", ""),
                answer=request.POST.get("answer", ""), corrected_payload=corrected,
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已答复，企业已收到通知。"))
            return redirect("disputes_admin:index")
    else:
        _log_read(request, objection, "objection")
    return render(
        request,
        "disputes/admin/objection_detail.html",
        {
            "title": _("信用异议 #%(pk)d") % {"pk": objection.pk},
            "icon": "warning",
            "objection": objection,
            "payload_json": json.dumps(objection.record.payload, ensure_ascii=False),
            "outcomes": [c for c in ObjectionStatus.choices if c[0] != ObjectionStatus.OPEN],
        },
    )


@platform_admin_required
def repair_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    repair = get_object_or_404(RepairRequest.objects.select_related("enterprise", "record"), pk=pk)
    if request.method == "POST":
        try:
            repair_decide(
                repair=repair, admin=request.user, approve=request.POST.get("decision") == "approve",
                reason=request.POST.get("reason", ""),
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已审核，企业已收到通知。"))
            return redirect("disputes_admin:index")
    else:
        _log_read(request, repair, "repair")
    return render(
        request,
        "disputes/admin/repair_detail.html",
        {"title": _("信用修复申请 #%(pk)d") % {"pk": repair.pk}, "icon": "tick", "repair": repair},
    )
