from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalog import category_choices

MAX_IMPORT_BYTES = 200 * 1024 * 1024


class ImportForm(forms.Form):
    category = forms.ChoiceField(label=_("信息类别"), choices=category_choices)
    file = forms.FileField(
        label=_("文件（CSV / Excel .xlsx / JSON Lines）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.jsonl,.ndjson,.txt"}),
    )

    def clean_file(self):  # noqa: ANN201
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件超过200MB，请拆分后上传或使用命令行导入。"))
        return upload
