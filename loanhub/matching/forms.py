from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution
from loanhub.money import WanYuanField

from .models import DeclineReason, LeadStatus, Urgency, Visibility
from .selectors import LEAD_SORTS

COLLATERAL_CHOICES = [
    ("mortgage", _("房产、设备等抵押")),
    ("guarantee", _("保证担保（担保公司或个人）")),
    ("pledge", _("应收账款、知识产权等质押")),
]


def product_type_choices() -> list:
    from cms.choices import ProductType

    return ProductType.choices


class NeedForm(forms.Form):
    amount_wan = WanYuanField(  # typed in 万元, cleaned to 元
        label=_("融资金额（万元）"), min_value=0.1, max_value=10000, decimal_places=2,
        error_messages={"min_value": _("金额至少0.1万元。"), "max_value": _("金额不能超过1亿元。")},
    )  # fmt: skip
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=360)
    purpose = forms.CharField(
        label=_("资金用途"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("如：采购原材料、补充流动资金")}),
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    collateral_offered = forms.MultipleChoiceField(
        label=_("可提供的担保方式（可不选）"), choices=COLLATERAL_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    product_types = forms.MultipleChoiceField(
        label=_("期望的产品类型（不选表示不限）"), choices=product_type_choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    visibility = forms.ChoiceField(
        label=_("谁可以看到"), choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.ALL
    )
    banks = forms.ModelMultipleChoiceField(
        label=_("指定金融机构"), queryset=FinancialInstitution.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("visibility") == Visibility.CHOSEN and not data.get("banks"):
            self.add_error("banks", _("请至少选择一家金融机构。"))
        return data

    def need_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": data["amount_wan"],
            "term_months": data["term_months"],
            "purpose": data["purpose"],
            "urgency": data["urgency"],
            "collateral_offered": data["collateral_offered"],
            "product_types": data["product_types"],
            "visibility": data["visibility"],
            "banks": list(data["banks"]),
        }


class DirectApplyForm(forms.Form):
    enterprise = forms.ChoiceField(label=_("申请企业"))
    amount_wan = WanYuanField(label=_("申请金额（万元）"), min_value=0.1, max_value=10000, decimal_places=2)
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=360)
    purpose = forms.CharField(label=_("资金用途"), max_length=300)
    collateral_offered = forms.MultipleChoiceField(
        label=_("可提供的担保方式（可不选）"), choices=COLLATERAL_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, enterprises: list[Enterprise] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enterprises = {e.uscc: e for e in enterprises or []}
        field = self.fields["enterprise"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [(e.uscc, e.name) for e in enterprises or []]


class ApproveForm(forms.Form):
    """Amount typed in 万元 (cleaned to 元); ``confirm_above_need`` appears checked only
    after the service warned that the amount is above the need."""

    amount = WanYuanField(
        label=_("批准金额（万元）"), min_value=Decimal("0.01"), max_value=Decimal(1_000_000),
        error_messages={"min_value": _("批准金额至少0.01万元。"), "max_value": _("批准金额不能超过100亿元。")},
    )  # fmt: skip
    rate = forms.DecimalField(label=_("年化利率（%）"), min_value=0.01, max_value=36, decimal_places=2)
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=360)
    confirm_above_need = forms.BooleanField(label=_("确认高于申请金额"), required=False)


class DeclineForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("未通过原因（1至4项，企业会看到）"),
        choices=DeclineReason.choices,
        widget=forms.CheckboxSelectMultiple,
        # The workbench shows a refused decision's errors as messages, away from the form:
        # each one names its field.
        error_messages={
            "required": _("请选择“未通过原因”：至少1项，最多4项。"),
            "invalid_choice": _("“未通过原因”中有无效选项：%(value)s。"),
        },
    )
    note = forms.CharField(
        label=_("补充说明（可选）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    refer = forms.BooleanField(label=_("转介给其他符合条件的金融机构"), required=False, initial=True)

    def clean_reasons(self) -> list[str]:
        reasons = self.cleaned_data["reasons"]
        if len(reasons) > 4:
            raise forms.ValidationError(_("“未通过原因”最多选择4项。"))
        return reasons


class DisburseForm(forms.Form):
    amount = WanYuanField(
        label=_("放款金额（万元）"), min_value=Decimal("0.01"), max_value=Decimal(1_000_000),
        error_messages={"min_value": _("放款金额至少0.01万元。"), "max_value": _("放款金额不能超过100亿元。")},
    )  # fmt: skip
    disbursed_on = forms.DateField(
        label=_("放款日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


def lead_status_choices() -> list:
    return [("open", _("待处理（未结）")), *LeadStatus.choices, ("overdue", _("已超时"))]


class LeadFilterForm(forms.Form):
    """The workbench's lead filters, from the query string. A value that does not
    validate is dropped, as if it had not been given, and named in a notice: the
    officer still gets the list (a typed-in or stale link must not be an error page).
    """

    status = forms.ChoiceField(label=_("状态"), required=False, choices=lead_status_choices)
    product = forms.IntegerField(label=_("产品"), required=False, min_value=1, max_value=2**31 - 1)
    grade = forms.ChoiceField(label=_("等级"), required=False, choices=[(g, g) for g in "ABCDE"])
    region = forms.RegexField(label=_("地区"), required=False, regex=r"^[0-9]{1,6}\Z")
    amount_min = forms.DecimalField(label=_("金额下限（万元）"), required=False, min_value=0, max_value=10**8)
    amount_max = forms.DecimalField(label=_("金额上限（万元）"), required=False, min_value=0, max_value=10**8)
    overdue = forms.BooleanField(label=_("已超时"), required=False)
    q = forms.CharField(label=_("企业名称"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=[(k, k) for k in LEAD_SORTS])
    mine = forms.BooleanField(label=_("我受理的"), required=False)
    officer = forms.IntegerField(label=_("受理人"), required=False, min_value=1, max_value=2**31 - 1)
    due = forms.ChoiceField(label=_("期限"), required=False, choices=[("today", _("今日到期"))])

    def filters(self) -> dict:
        """What lead_list_for_staff filters on: valid values only, amounts in yuan, and
        the worklist (open leads) when no valid status was asked for."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}
        if "status" in self.data and "status" in self.cleaned_data:
            data["status"] = self.cleaned_data["status"]  # "" is a choice: every status
        else:
            data["status"] = "open"
        for key in ("amount_min", "amount_max"):
            if key in data:
                data[key] = data[key] * 10000
        return data

    def dropped(self) -> list[str]:
        """Labels of the filters whose values were dropped."""
        return [str(self.fields[name].label) for name in self.errors]
