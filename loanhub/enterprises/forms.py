"""Portal forms for enterprise verification and members."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
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
