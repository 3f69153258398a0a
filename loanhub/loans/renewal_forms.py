"""The SME's renewal request form (续贷申请): amounts typed in 万元."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loanhub.money import WanYuanField

from .models import RenewalKind


class RenewalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("续贷方式"), choices=RenewalKind.choices, widget=forms.RadioSelect, initial=RenewalKind.NO_PRINCIPAL,
        help_text=_("无还本续贷：到期前由银行审批续贷，无需先归还本金；续贷（先还后贷）：按期还清后再发放新贷款。"),
    )  # fmt: skip
    amount = WanYuanField(  # typed in 万元, cleaned to 元
        label=_("续贷金额（万元）"), min_value=0.1, max_value=10000, decimal_places=2,
        error_messages={"min_value": _("金额至少0.1万元。"), "max_value": _("金额不能超过1亿元。")},
    )  # fmt: skip
    term_months = forms.IntegerField(label=_("续贷期限（月）"), min_value=1, max_value=360)
    reason = forms.CharField(
        label=_("说明（可不填）"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("如：经营正常，订单增长，需继续周转")}),
    )  # fmt: skip
