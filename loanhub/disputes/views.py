"""SME portal: raise objections, apply for credit repair, follow both."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.consent.models import Channel
from loanhub.consent.services import access_log_record
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.rules import repair_eligibility
from loanhub.enterprises.access import member_enterprise_or_404
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.selectors import enterprise_get_for_member

from .forms import ObjectionForm, RepairForm
from .models import Objection, RepairRequest
from .selectors import (
    objection_get_for_viewer,
    objection_list,
    repair_get_for_viewer,
    repair_list,
)
from .services import COMMITMENT_TEXT, objection_raise, repair_apply


def _own_record(enterprise: Enterprise, pk: int) -> CreditRecord:
    return get_object_or_404(CreditRecord, pk=pk, uscc=enterprise.uscc)


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def dispute_index(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    return render(
        request,
        "disputes/index.html",
        {
            "enterprise": enterprise,
            "objections": objection_list(enterprise=enterprise),
            "repairs": repair_list(enterprise=enterprise),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_new(request: AuthenticatedHttpRequest, uscc: str, record_id: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    record = _own_record(enterprise, record_id)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection_raise(
                user=request.user, enterprise=enterprise, record=record,
                reason=form.cleaned_data["reason"], attachment=form.cleaned_data.get("attachment"),
            )  # fmt: skip
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("异议已提交，平台将在20日内书面答复。处理期间该记录对金融机构标注为“异议处理中”。")
            )
            return redirect("disputes:index", uscc=uscc)
    return render(request, "disputes/objection_form.html", {"enterprise": enterprise, "record": record, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def repair_new(request: AuthenticatedHttpRequest, uscc: str, record_id: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    record = _own_record(enterprise, record_id)
    check = repair_eligibility(record, timezone.localdate())
    form = RepairForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            repair_apply(
                user=request.user, enterprise=enterprise, record=record,
                corrected_on=form.cleaned_data["corrected_on"], proof=form.cleaned_data["proof"],
                commitment_confirmed=form.cleaned_data["commitment_confirmed"],
            )  # fmt: skip
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("信用修复申请已提交，请等待平台审核。"))
            return redirect("disputes:index", uscc=uscc)
    return render(
        request,
        "disputes/repair_form.html",
        {"enterprise": enterprise, "record": record, "form": form, "check": check, "commitment": COMMITMENT_TEXT},
    )


@login_required
def objection_attachment(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> FileResponse:
    """An objection's evidence: for the enterprise's members and platform
    administrators only (404 for anyone else); never from /media/."""
    objection = objection_get_for_viewer(user=request.user, uscc=uscc, pk=pk)
    if objection is None:
        raise Http404
    return _case_file(request, objection, objection.attachment, "objection")


@login_required
def repair_proof(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> FileResponse:
    """A credit-repair request's proof, on the same terms as an objection's evidence."""
    repair = repair_get_for_viewer(user=request.user, uscc=uscc, pk=pk)
    if repair is None:
        raise Http404
    return _case_file(request, repair, repair.proof, "repair")


def _case_file(
    request: AuthenticatedHttpRequest, case: Objection | RepairRequest, file: FieldFile, kind: str
) -> FileResponse:
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if enterprise_get_for_member(user=request.user, uscc=case.enterprise.uscc) is None:
        # An administrator reading the enterprise's evidence: in its access log.
        access_log_record(
            enterprise=case.enterprise, user=request.user, categories=[case.record.category],
            purpose=kind, channel=Channel.BACK_OFFICE, detail=f"{kind} #{case.pk} file",
        )  # fmt: skip
    filename = f"{kind}-{case.pk}{PurePath(file.name or '').suffix}"
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
