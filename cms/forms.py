"""Forms of the public portal: marketplace filters and the application confirmation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loanhub.enterprises.catalogs import region_choices

from .choices import ProductType
from .selectors import ProductFilters, bank_choices, zone_choices

SORT_CHOICES = [
    ("newest", _("最新上架")),
    ("rate", _("利率从低到高")),
    ("amount", _("额度从高到低")),
]


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=60)
    product_type = forms.ChoiceField(label=_("产品类型"), required=False)
    amount = forms.DecimalField(
        label=_("需求金额（万元）"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
    )
    term = forms.IntegerField(label=_("需求期限（月）"), required=False, min_value=1, max_value=600)
    bank = forms.ChoiceField(label=_("金融机构"), required=False)
    region = forms.ChoiceField(label=_("所在地区"), required=False)
    zone = forms.ChoiceField(label=_("特色专区"), required=False)
    rate = forms.DecimalField(
        label=_("可接受最高年化利率（%）"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("36"),
        max_digits=5,
        decimal_places=2,
    )
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)
    show_paused = forms.BooleanField(
        label=_("显示已暂停"), required=False, help_text=_("包括暂停接受申请的产品（可浏览，不能申请）。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        every: list[tuple[str, object]] = [("", _("全部"))]
        self._choices("product_type", [*every, *ProductType.choices])
        self._choices("bank", [*every, *bank_choices()])
        self._choices("region", [("", _("不限")), *region_choices()])
        self._choices("zone", [*every, *zone_choices()])

    def _choices(self, name: str, choices: list[tuple[str, object]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):  # all four are
            field.choices = choices

    def filters(self) -> ProductFilters:
        """The filters to apply; invalid inputs are dropped (the form shows why)."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that validated
        amount = data.get("amount")
        return ProductFilters(
            q=(data.get("q") or "").strip(),
            product_type=data.get("product_type") or "",
            amount=amount * 10_000 if amount is not None else None,
            term=data.get("term"),
            bank=data.get("bank") or "",
            region=data.get("region") or "",
            zone=data.get("zone") or "",
            rate=data.get("rate"),
            sort=data.get("sort") or "newest",
            open_only=not data.get("show_paused"),
        )
