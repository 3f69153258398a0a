"""Forms of the early-warning pages: the alert list's filters and acknowledging an alert."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .alert_selectors import AlertFilters
from .models import AlertAction, AlertKind, AlertSeverity, AlertStatus

MAX_ACK_NOTE = 1000


def _with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


def alert_status_choices() -> list[tuple[str, Any]]:
    return [("", _("未关闭")), ("all", _("全部")), *AlertStatus.choices]


class AlertFilterForm(forms.Form):
    """The alert list's filters from the query string; an invalid value is dropped and named."""

    severity = forms.ChoiceField(label=_("严重程度"), required=False, choices=_with_all(AlertSeverity.choices))
    kind = forms.ChoiceField(label=_("预警类型"), required=False, choices=_with_all(AlertKind.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=alert_status_choices)
    overdue = forms.BooleanField(label=_("只看超时未确认"), required=False)
    q = forms.CharField(label=_("企业名称或统一社会信用代码"), required=False, max_length=100)

    def filters(self) -> AlertFilters:
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return AlertFilters(
            severity=data.get("severity", ""), kind=data.get("kind", ""), status=data.get("status", ""),
            overdue=bool(data.get("overdue")), q=str(data.get("q", "")).strip(),
        )  # fmt: skip

    def dropped(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.errors]


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"), max_length=MAX_ACK_NOTE, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写处理说明。")},
    )  # fmt: skip
    action = forms.ChoiceField(
        label=_("后续措施"), choices=AlertAction.choices, error_messages={"required": _("请选择后续措施。")}
    )
