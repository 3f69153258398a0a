from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditKind, Outcome


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件"), required=False, choices=[("", _("全部"))] + AuditKind.choices)
    username = forms.CharField(label=_("用户名"), required=False, max_length=150)
    outcome = forms.ChoiceField(label=_("结果"), required=False, choices=[("", _("全部"))] + Outcome.choices)
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
