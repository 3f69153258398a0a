"""Portal pages for account security: two-factor authentication (enrol, verify, backup
codes, manage) and the password change."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record

from . import two_factor
from .exceptions import PasswordRecheckLocked
from .forms import OtpCodeForm, PasswordConfirmForm, PortalPasswordChangeForm
from .lockout import recheck_locked_response
from .models import User
from .requests import AuthenticatedHttpRequest


def _next_url(request: AuthenticatedHttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/cms-admin/" if two_factor.two_factor_required(request.user) else "/accounts/dashboard/"


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.totp_device(user) is not None:
        # Already enrolled: changing the device goes through "reset" (password + verified).
        return redirect("accounts:2fa_manage" if user.is_verified() else "accounts:2fa_verify")
    device = two_factor.totp_device_pending(user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.two_factor_enrol(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            request.session[two_factor.BACKUP_CODES_SESSION_KEY] = codes
            return redirect(f"{_backup_url()}?{urlencode({'next': _next_url(request)})}")
        form.add_error("code", _("验证码不正确或已过期，请输入应用中当前显示的6位数字。"))
    context = {
        "form": form,
        "qr_svg": two_factor.totp_qr_svg(device),
        "secret": two_factor.totp_secret_base32(device),
        "next": _next_url(request),
        "required": two_factor.two_factor_required(user),
    }
    return render(request, "accounts/2fa/setup.html", context)


def _backup_url() -> str:
    from django.urls import reverse

    return reverse("accounts:2fa_backup_codes")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if two_factor.totp_device(request.user) is None:
        return redirect("accounts:2fa_setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.two_factor_verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", _("验证码不正确。连续输错会被延时，请稍后再试。"))
    return render(request, "accounts/2fa/verify.html", {"form": form, "next": _next_url(request)})


@login_required
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shows newly generated codes exactly once (they are popped from the session)."""
    codes = request.session.pop(two_factor.BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("accounts:2fa_manage")
    return render(request, "accounts/2fa/backup_codes.html", {"codes": codes, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    enrolled = two_factor.totp_device(user) is not None
    action = request.POST.get("action")
    purpose = "2fa_reset" if action == "reset" else "backup_codes"
    form = PasswordConfirmForm(request.POST or None, request=request, purpose=purpose)
    try:
        confirmed = request.method == "POST" and enrolled and form.is_valid()
    except PasswordRecheckLocked:
        return recheck_locked_response(request)
    if confirmed:
        if action == "regenerate":
            request.session[two_factor.BACKUP_CODES_SESSION_KEY] = two_factor.backup_codes_generate(user)
            audit_record(kind=AuditKind.BACKUP_CODES_REGENERATED, request=request, obj=user)
            return redirect("accounts:2fa_backup_codes")
        if action == "reset":
            two_factor.two_factor_reset(request=request)
            messages.success(request, _("双因素认证已重置，其他设备上的登录和所有接口令牌已失效。"))
            if two_factor.two_factor_required(user):
                return redirect("accounts:2fa_setup")
            return redirect("accounts:2fa_manage")
    context = {
        "form": form,
        "enrolled": enrolled,
        "required": two_factor.two_factor_required(user),
        "backup_left": _backup_left(user),
    }
    return render(request, "accounts/2fa/manage.html", context)


def _backup_left(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user).count()


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change the password: the current one is re-checked (lockout, audit); other
    sessions end and the API tokens are revoked; this session stays."""
    form = PortalPasswordChangeForm(request.user, request.POST or None, request=request)
    try:
        valid = request.method == "POST" and form.is_valid()
    except PasswordRecheckLocked:
        return recheck_locked_response(request)
    if valid:
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改，其他设备上的登录和所有接口令牌已失效。"))
        return redirect("accounts:2fa_manage")
    return render(request, "accounts/password_change.html", {"form": form})
