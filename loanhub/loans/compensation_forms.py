"""Forms of risk compensation: the scheme editor (back office), a bank's claim, an administrator's decision.

Amounts are typed in 万元 and stored in 元 (loanhub.money.WanYuanField).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from cms.models import FinancingProductPage
from cms.selectors import zone_choices
from loanhub.money import WanYuanField

from .models import CompensationScheme

WAN_LIMITS = {"min_value": 0.01, "max_value": 10_000_000, "decimal_places": 2}


class SchemeForm(WagtailAdminModelForm):
    """A risk-compensation scheme as a platform administrator defines it."""

    loan_cap = WanYuanField(
        label=_("单笔贷款上限（万元）"), help_text=_("超过此金额的贷款不纳入本方案。"), **WAN_LIMITS
    )
    budget = WanYuanField(label=_("资金规模（万元）"), help_text=_("资金池可用于补偿的总额。"), **WAN_LIMITS)
    products = forms.ModelMultipleChoiceField(
        label=_("适用产品"), required=False, queryset=FinancingProductPage.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}), help_text=_("可多选；产品和专区都不选表示不限。"),
    )  # fmt: skip
    zones = forms.MultipleChoiceField(
        label=_("适用专区"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("带有所选专区标签的产品适用本方案。"),
    )  # fmt: skip

    class Meta:
        model = CompensationScheme
        fields = [
            "name", "fund_name", "coverage_share", "products", "zones", "loan_cap", "budget",
            "valid_from", "valid_until", "is_active",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = FinancingProductPage.objects.order_by("title")
        choices = list(zone_choices())
        known = {tag for tag, _title in choices}
        # A tag of a zone unpublished since stays selectable, so editing does not drop it silently.
        choices += [(tag, tag) for tag in (self.instance.zones or []) if tag not in known]
        self.fields["zones"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("截止日期不能早于生效日期。"))
        return data


class ClaimForm(forms.Form):
    loss_amount = WanYuanField(
        label=_("损失金额（万元）"), help_text=_("不超过贷款余额；申请补偿金额 = 损失金额 × 补偿比例。"), **WAN_LIMITS
    )
    note = forms.CharField(
        label=_("说明（可不填）"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("approve", _("批准")), ("reject", _("驳回"))], widget=forms.RadioSelect
    )
    paid_amount = WanYuanField(label=_("核定补偿金额（万元）"), required=False, **WAN_LIMITS)
    reason = forms.CharField(
        label=_("审核意见"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("驳回时必填，银行会看到。"),
    )  # fmt: skip
