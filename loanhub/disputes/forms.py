from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .models import ATTACHMENT_TYPES

ACCEPT = ",".join(f".{t}" for t in ATTACHMENT_TYPES)
MAX_UPLOAD = 10 * 1024 * 1024


class _UploadMixin:
    cleaned_data: dict[str, Any]

    def _check_size(self, field: str) -> UploadedFile | None:
        upload = self.cleaned_data.get(field)
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件不能超过10MB。"))
        return upload


class ObjectionForm(_UploadMixin, forms.Form):
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    attachment = forms.FileField(
        label=_("证明材料（可选，PDF/JPG/PNG，≤10MB）"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )  # fmt: skip

    def clean_attachment(self) -> UploadedFile | None:
        return self._check_size("attachment")


class RepairForm(_UploadMixin, forms.Form):
    corrected_on = forms.DateField(
        label=_("整改完成日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    proof = forms.FileField(
        label=_("整改证明（PDF/JPG/PNG，≤10MB）"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    commitment_confirmed = forms.BooleanField(label=_("我代表企业签署上述信用承诺书"))

    def clean_proof(self) -> UploadedFile | None:
        return self._check_size("proof")
