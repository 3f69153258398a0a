from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .catalog import category_choices
from .exceptions import ImportFileError
from .validation import check_import_size


class ImportForm(forms.Form):
    category = forms.ChoiceField(label=_("信息类别"), choices=category_choices)
    file = forms.FileField(
        label=_("文件（CSV / Excel .xlsx / JSON Lines）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.jsonl,.ndjson,.txt"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        try:
            check_import_size(upload.size)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload
