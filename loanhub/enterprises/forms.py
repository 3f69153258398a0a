"""Portal forms for enterprise verification and members."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import id_number_is_valid
from .verification import MAX_REASON_LENGTH


class ElementCheckForm(forms.Form):
    legal_representative = forms.CharField(label=_("法定代表人姓名"), max_length=60)
    id_number = forms.RegexField(
        label=_("法定代表人身份证号"), regex=r"^\d{17}[\dXx]$", max_length=18,
        error_messages={"invalid": _("身份证号应为18位，最后一位可以是数字或X。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )  # fmt: skip
    mobile = forms.RegexField(
        label=_("法定代表人手机号"), regex=r"^1\d{10}$", max_length=11,
        error_messages={"invalid": _("手机号应为以1开头的11位数字。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )  # fmt: skip

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].upper()
        if not id_number_is_valid(value):
            raise ValidationError(_("身份证号校验位不正确，请核对。"))
        return value


class LicenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("营业执照（JPG、PNG 或 PDF，不超过5MB）"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class MemberInviteForm(forms.Form):
    identifier = forms.CharField(
        label=_("同事的用户名或电子邮箱"),
        max_length=254,
        help_text=_("对方需已注册平台的企业用户账号。"),
    )


class LicenceRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("驳回理由"), max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class EnterpriseEditForm(forms.Form):
    """The owner's edit of the enterprise's details. The code, the region (from the code)
    and the legal representative (checked at verification) are not edited here."""

    name = forms.CharField(label=_("企业名称"), max_length=200)
    industry = forms.ChoiceField(label=_("所属行业"))
    registration_date = forms.DateField(
        label=_("成立日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    registered_capital_wan = forms.DecimalField(
        label=_("注册资本（万元）"), min_value=0, max_value=100_000_000, max_digits=14, decimal_places=2,
        error_messages={
            "min_value": _("注册资本不能为负数。"), "max_value": _("注册资本数额过大，请以万元为单位填写。"),
            "max_digits": _("注册资本数额过大，请以万元为单位填写。"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )  # fmt: skip
    size_class = forms.ChoiceField(label=_("企业规模"))
    contact_name = forms.CharField(label=_("联系人"), max_length=60, required=False)
    contact_phone = forms.RegexField(
        label=_("联系电话"), regex=r"^[0-9+\- ]{7,20}$", required=False,
        error_messages={"invalid": _("请填写有效的电话号码（数字，可含区号和 -）。")},
    )  # fmt: skip
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)
    address = forms.CharField(label=_("经营地址"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .catalogs import industry_choices
        from .models import SizeClass

        super().__init__(*args, **kwargs)
        industry = self.fields["industry"]
        size = self.fields["size_class"]
        if isinstance(industry, forms.ChoiceField) and isinstance(size, forms.ChoiceField):
            industry.choices = industry_choices()
            size.choices = SizeClass.choices

    def clean_registration_date(self) -> date:
        value = self.cleaned_data["registration_date"]
        if value > timezone.localdate():
            raise ValidationError(_("成立日期不能晚于今天。"))
        return value
