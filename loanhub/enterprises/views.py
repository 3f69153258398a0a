"""Portal views for an SME's own enterprise: details, members, verification."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loanhub.accounts.requests import AuthenticatedHttpRequest

from .access import member_enterprise_or_404
from .forms import ElementCheckForm, EnterpriseEditForm, LicenceUploadForm, MemberInviteForm
from .models import Enterprise
from .registry import registration_record_get, sandbox_registry_enabled
from .selectors import (
    element_check_state,
    enterprise_is_owner,
    enterprise_members,
    licence_get_for_viewer,
    licence_list_for_enterprise,
)
from .services import enterprise_update
from .verification import (
    LICENCE_TYPES,
    enterprise_member_invite,
    enterprise_verify_elements,
    licence_upload,
)


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


def _detail_page(
    request: AuthenticatedHttpRequest, enterprise: Enterprise, invite_form: MemberInviteForm | None = None
) -> HttpResponse:
    context = {
        "enterprise": enterprise,
        "members": enterprise_members(enterprise=enterprise),
        "is_owner": enterprise_is_owner(user=request.user, enterprise=enterprise),
        "invite_form": invite_form or MemberInviteForm(),
    }
    return render(request, "enterprises/detail.html", context)


@login_required
def enterprise_detail(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc, allow_unverified=True)
    return _detail_page(request, enterprise)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    """The owner edits the enterprise's details; registered capital in 万元."""
    enterprise = member_enterprise_or_404(request, uscc, allow_unverified=True)
    if not enterprise_is_owner(user=request.user, enterprise=enterprise):
        raise PermissionDenied(_("只有企业管理员可以修改企业信息。"))
    initial = {
        "name": enterprise.name, "industry": enterprise.industry[:1], "registration_date": enterprise.registration_date,
        "registered_capital_wan": enterprise.registered_capital_wan, "size_class": enterprise.size_class,
        "contact_name": enterprise.contact_name, "contact_phone": enterprise.contact_phone,
        "contact_email": enterprise.contact_email, "address": enterprise.address,
    }  # fmt: skip
    form = EnterpriseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["registered_capital"] = fields.pop("registered_capital_wan") * 10000
        try:
            enterprise_update(enterprise=enterprise, user=request.user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("企业信息已保存。"))
            return redirect("enterprises:detail", uscc=enterprise.uscc)
    return render(request, "enterprises/edit.html", {"enterprise": enterprise, "form": form})


@login_required
@require_POST
def member_invite(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc, allow_unverified=True)
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        try:
            membership = enterprise_member_invite(
                enterprise=enterprise, owner=request.user, identifier=form.cleaned_data["identifier"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已将 %(user)s 添加为企业成员。") % {"user": membership.user})
            return redirect("enterprises:detail", uscc=enterprise.uscc)
    return _detail_page(request, enterprise, invite_form=form)


def _verification_page(
    request: AuthenticatedHttpRequest,
    enterprise: Enterprise,
    element_form: ElementCheckForm | None = None,
    licence_form: LicenceUploadForm | None = None,
) -> HttpResponse:
    is_owner = enterprise_is_owner(user=request.user, enterprise=enterprise)
    initial = {
        "legal_representative": enterprise.legal_representative,
        "id_number": enterprise.legal_rep_id_number,
        "mobile": enterprise.legal_rep_phone,
    }
    show_hint = is_owner and not enterprise.is_verified and sandbox_registry_enabled()
    context = {
        "enterprise": enterprise,
        "is_owner": is_owner,
        "element_form": element_form or ElementCheckForm(initial=initial),
        "licence_form": licence_form or LicenceUploadForm(),
        "state": element_check_state(enterprise=enterprise),
        "licences": licence_list_for_enterprise(enterprise=enterprise)[:10],
        "sandbox_record": registration_record_get(uscc=enterprise.uscc) if show_hint else None,
    }
    return render(request, "enterprises/verification.html", context)


@login_required
def verification(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc, allow_unverified=True)
    return _verification_page(request, enterprise)


@login_required
@require_POST
def verify_elements(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc, allow_unverified=True)
    form = ElementCheckForm(request.POST)
    if form.is_valid():
        try:
            enterprise = enterprise_verify_elements(enterprise=enterprise, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("企业要素核验通过，企业已完成认证。"))
            return redirect("enterprises:verification", uscc=enterprise.uscc)
    return _verification_page(request, enterprise, element_form=form)


@login_required
@require_POST
def upload_licence(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc, allow_unverified=True)
    form = LicenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            licence_upload(enterprise=enterprise, user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("营业执照已上传，平台审核后将通知您。"))
            return redirect("enterprises:verification", uscc=enterprise.uscc)
    return _verification_page(request, enterprise, licence_form=form)


@login_required
def licence_file(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> FileResponse:
    """The licence itself: for the enterprise's members and platform administrators
    only (404 for anyone else); never from /media/."""
    licence = licence_get_for_viewer(user=request.user, uscc=uscc, pk=pk)
    if licence is None:
        raise Http404
    try:
        handle = licence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = LICENCE_TYPES.get(licence.content_type, "bin")
    response = FileResponse(handle, content_type=licence.content_type, filename=f"licence-{licence.pk}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
