"""Portal forms for accounts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from loanhub.enterprises.catalogs import industry_choices
from loanhub.enterprises.uscc import validate_uscc

from .services import password_recheck

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import User
    from .requests import AuthenticatedHttpRequest


class SmeRegistrationForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @/./+/-/_。")},
    )
    display_name = forms.CharField(label=_("您的姓名"), max_length=60)
    email = forms.EmailField(label=_("电子邮箱"))
    password1 = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，不能是常见密码或纯数字。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("18位，见营业执照。所在地区由第3至8位（登记机关的行政区划代码）确定，无需另填。"),
    )
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=60)
    legal_rep_id_number = forms.RegexField(
        label=_("法定代表人身份证号"), required=False, regex=r"^\d{17}[\dXx]$",
        error_messages={"invalid": _("身份证号应为18位，最后一位可以是数字或X。")},
        help_text=_("选填。加密保存，仅本企业成员可见完整号码。"),
    )  # fmt: skip
    legal_rep_phone = forms.RegexField(
        label=_("法定代表人手机号"), required=False, regex=r"^1\d{10}$",
        error_messages={"invalid": _("手机号应为以1开头的11位数字。")},
        help_text=_("选填。加密保存，仅本企业成员可见完整号码。"),
    )  # fmt: skip
    industry = forms.ChoiceField(label=_("所属行业"), choices=industry_choices)
    registration_date = forms.DateField(
        label=_("成立日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    registered_capital = forms.DecimalField(label=_("注册资本（万元）"), min_value=0, max_digits=12, decimal_places=2)
    agree = forms.BooleanField(
        label=_("我已阅读并同意《平台用户协议》和《隐私政策》"),
        error_messages={"required": _("请阅读并同意《平台用户协议》和《隐私政策》。")},
    )

    def clean_uscc(self) -> str:
        code = validate_uscc(self.cleaned_data["uscc"])
        if code[2] not in "12345678":
            raise ValidationError(_("统一社会信用代码第3至8位应为登记机关的行政区划代码（如 440100）。"))
        return code

    def clean_legal_rep_id_number(self) -> str:
        return self.cleaned_data["legal_rep_id_number"].upper()

    def clean_registration_date(self) -> date:
        value = self.cleaned_data["registration_date"]
        if value > timezone.localdate():
            raise ValidationError(_("成立日期不能晚于今天。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text=_("身份验证器应用显示的6位数字，或一个备用码。"),
    )


class PasswordConfirmForm(forms.Form):
    """Re-authentication before a change to security settings (rate-limited and
    audited by ``password_recheck``; raises ``PasswordRecheckLocked`` when locked)."""

    password = forms.CharField(
        label=_("当前密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: AuthenticatedHttpRequest, purpose: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.purpose = purpose

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password_recheck(request=self.request, user=self.request.user, password=password, purpose=self.purpose):
            raise ValidationError(_("密码不正确。"))
        return password


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password checked by ``password_recheck``."""

    def __init__(self, user: User, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not password_recheck(request=self.request, user=self.user, password=old_password, purpose="password_change"):
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class BackOfficeLoginForm(WagtailLoginForm):
    """Wagtail's admin login with the labels in Chinese (Wagtail's catalogue leaves the
    password's label and the placeholders in English)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["username"].widget.attrs["placeholder"] = _("请输入用户名")
        self.fields["password"].label = _("密码")
        self.fields["password"].widget.attrs["placeholder"] = _("请输入密码")
