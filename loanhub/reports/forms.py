from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ReportPurpose
from .selectors import default_period, report_number_is_well_formed


class DateInput(forms.DateInput):
    """An HTML date input: its value is always ISO (YYYY-MM-DD), whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ReportForm(forms.Form):
    purpose = forms.ChoiceField(label=_("报告用途"), choices=ReportPurpose.choices, initial=ReportPurpose.FINANCING)
    period_start = forms.DateField(label=_("报告期起"), widget=DateInput, required=False)
    period_end = forms.DateField(label=_("报告期止"), widget=DateInput, required=False)
    include_score = forms.BooleanField(
        label=_("在报告中展示信用评分与等级"),
        required=False,
        help_text=_("默认不展示。评分仅供参考，展示与否由企业决定。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start, end = default_period(today=timezone.localdate())
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end


class ApproveForm(forms.Form):
    """Which report the bank gets: an existing valid one, or a new financing report."""

    report = forms.CharField(max_length=24)
    include_score = forms.BooleanField(required=False)


class LookupForm(forms.Form):
    number = forms.CharField(label=_("报告编号"), max_length=40)

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip().upper()
        if not report_number_is_well_formed(number):
            raise forms.ValidationError(_("报告编号格式不正确，应类似 LHR-2026-XXXXXXXXXXXX。"))
        return number


class VerifyUploadForm(forms.Form):
    file = forms.FileField(label=_("报告 PDF 文件"))

    def clean_file(self) -> str:
        """The upload's SHA-256 (read in chunks; bounded in size)."""
        upload = self.cleaned_data["file"]
        limit = settings.LOANHUB_REPORT_VERIFY_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("文件过大（上限 %(mb)d MB）。") % {"mb": limit // (1024 * 1024)})
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        return digest.hexdigest()
