from __future__ import annotations

from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.credit_data.catalog import CATEGORIES, SENSITIVE_CODES
from loanhub.institutions.models import FinancialInstitution

from .models import GranteeType, Purpose

VALIDITY_CHOICES = [("1", _("1个月")), ("3", _("3个月")), ("6", _("6个月")), ("12", _("12个月"))]
RANGE_CHOICES = [("1", _("近1年")), ("3", _("近3年")), ("5", _("近5年"))]


class AuthorizationForm(forms.Form):
    grantee_type = forms.ChoiceField(
        label=_("被授权方"), choices=GranteeType.choices, widget=forms.RadioSelect,
        initial=GranteeType.INSTITUTION,
    )  # fmt: skip
    institution = forms.ModelChoiceField(
        label=_("金融机构"),
        queryset=FinancialInstitution.objects.filter(is_active=True),
        required=False,
        empty_label=_("请选择"),
    )
    purpose = forms.ChoiceField(
        label=_("授权用途"), choices=Purpose.choices, initial=Purpose.UNDERWRITING, widget=forms.RadioSelect
    )
    categories = forms.MultipleChoiceField(
        label=_("授权信息类别"),
        choices=[(c.code, f"{c.name}{'（敏感）' if c.sensitive else ''}") for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        initial=[c.code for c in CATEGORIES if not c.sensitive],
        error_messages={"required": _("请至少选择一类信息。")},
    )
    sensitive_confirmed = forms.BooleanField(label=_("我单独同意共享纳税金额等敏感信息"), required=False)
    data_range = forms.ChoiceField(label=_("数据范围"), choices=RANGE_CHOICES, initial="3")
    validity = forms.ChoiceField(label=_("授权期限"), choices=VALIDITY_CHOICES, initial="12")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("grantee_type") == GranteeType.INSTITUTION and not data.get("institution"):
            self.add_error("institution", _("请选择被授权的金融机构。"))
        if set(data.get("categories") or []) & SENSITIVE_CODES and not data.get("sensitive_confirmed"):
            self.add_error("sensitive_confirmed", _("纳税金额属于敏感信息，需要单独勾选同意。"))
        return data

    def terms(self) -> dict:
        data = self.cleaned_data
        now = timezone.now()
        return {
            "grantee_type": data["grantee_type"],
            "institution": data.get("institution"),
            "purpose": data["purpose"],
            "categories": data["categories"],
            "sensitive_confirmed": bool(data.get("sensitive_confirmed")),
            "data_from": timezone.localdate() - relativedelta(years=int(data["data_range"])),
            "expires_at": now + relativedelta(months=int(data["validity"])),
        }


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("登录密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    text_hash = forms.CharField(widget=forms.HiddenInput)
    valid_from = forms.DateTimeField(widget=forms.HiddenInput)

    def clean_valid_from(self) -> datetime:
        value = self.cleaned_data["valid_from"]
        if abs((timezone.now() - value).total_seconds()) > 30 * 60:
            raise ValidationError(_("确认页面已超时，请重新确认授权内容。"))
        return value
