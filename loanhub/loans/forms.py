"""Forms of the post-loan pages: the loan list's filters, a performance report, a file upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.money import WanYuanField

from .models import LoanStatus
from .services import MAX_NOTE

MAX_MATURING_DAYS = 366


def loan_status_choices() -> list[tuple[str, Any]]:
    return [("", _("全部")), ("live", _("未结清（在贷）")), ("closed", _("已结束")), *LoanStatus.choices]


class LoanFilterForm(forms.Form):
    """The loan list's filters, from the query string; a value that does not validate is
    dropped (and named in a notice), so a stale link still shows the list."""

    status = forms.ChoiceField(label=_("状态"), required=False, choices=loan_status_choices)
    product = forms.IntegerField(label=_("产品"), required=False, min_value=1, max_value=2**31 - 1)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    maturing = forms.IntegerField(label=_("到期天数"), required=False, min_value=0, max_value=MAX_MATURING_DAYS)
    q = forms.CharField(label=_("企业名称或统一社会信用代码"), required=False, max_length=100)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}

    def dropped(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.errors]


class PerformanceReportForm(forms.Form):
    """A bank officer's report on one loan; the balance is typed in 万元 and cleaned to 元."""

    as_of = forms.DateField(label=_("报告日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    status = forms.ChoiceField(label=_("状态"), choices=LoanStatus.choices)
    outstanding = WanYuanField(
        label=_("贷款余额（万元）"), min_value=0, max_value=10**8,
        error_messages={"min_value": _("贷款余额不能为负数。")},
    )  # fmt: skip
    days_past_due = forms.IntegerField(
        label=_("逾期天数"), min_value=0, max_value=100_000, initial=0,
        error_messages={"min_value": _("逾期天数不能为负数。")},
    )  # fmt: skip
    note = forms.CharField(
        label=_("说明"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate
        self.fields["as_of"].widget.attrs["max"] = timezone.localdate().isoformat()


class PerformanceUploadForm(forms.Form):
    # Its size is checked against the performance file's own bound before the view reads it.
    file = forms.FileField(
        label=_("文件（CSV / Excel .xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
