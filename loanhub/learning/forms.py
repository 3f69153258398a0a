from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    since = forms.DateField(label=_("审批日起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("审批日止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    labelled_only = forms.BooleanField(label=_("只导出已有结果的样本（不含未通过与结果未定的线索）"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data
