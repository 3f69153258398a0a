"""The product editor's form (FinancingProductPage.base_form_class).

Editors think in 万元, region names and percentages; the matching engine, the API and
the stored data keep 元, 6-digit division codes and PD fractions. The form converts at
the boundary (loanhub.money), so nothing stored changes and no data migration is needed:
the engine reads ``amount_min``/``amount_max``/``max_pd`` into pandas unchanged, and the
public API keeps its numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from loanhub.enterprises.catalogs import PROVINCES, REGIONS, region_name
from loanhub.money import PercentField, WanYuanField

# Municipalities: the whole city is the province-level code; no separate city entry.
MUNICIPALITIES = {"11", "12", "31", "50"}

# 10亿元 is far above any SME product; an amount typed in 元 by habit (5000000 for 500万)
# lands above it and is refused instead of becoming 500亿.
AMOUNT_BOUNDS: dict[str, Any] = {
    "min_value": Decimal("0.01"),
    "max_value": Decimal(100_000),
    "error_messages": {
        "min_value": _("额度至少0.01万元。"),
        "max_value": _("额度不能超过100,000万元（10亿元）；请按万元填写，如 500 表示500万元。"),
    },
}


def _province_wide(prefix: str) -> str:
    name = PROVINCES[prefix]
    if prefix in MUNICIPALITIES:
        return name
    if name.endswith("自治区"):
        return _("%(p)s（全区）") % {"p": name}
    return _("%(p)s（全省）") % {"p": name}


def region_grouped_choices(extra: list[str] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The region catalogue as named checkboxes: each province with cities in the catalogue
    as a group (the whole province first), then every other province as "whole province".
    Codes already stored but not in the catalogue (``extra``) are kept, by name."""
    cities: dict[str, list[tuple[str, str]]] = {}
    for code, name in sorted(REGIONS.items()):
        if code[:2] not in MUNICIPALITIES:
            cities.setdefault(code[:2], []).append((code, name.removeprefix(PROVINCES[code[:2]])))
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    # Provinces with the most catalogued cities first (广东 leads), then by code.
    for prefix, entries in sorted(cities.items(), key=lambda item: (-len(item[1]), item[0])):
        groups.append((PROVINCES[prefix], [(prefix + "0000", str(_province_wide(prefix))), *entries]))
    others = [(p + "0000", str(_province_wide(p))) for p in sorted(PROVINCES) if p not in cities]
    groups.append((str(_("其他省份")), others))
    known = {code for _group, entries in groups for code, _label in entries}
    unknown = sorted({str(c) for c in extra or []} - known)
    if unknown:
        groups.append((str(_("其他已选地区")), [(c, f"{region_name(c)}（{c}）") for c in unknown]))
    return groups


class FinancingProductForm(WagtailAdminPageForm):
    amount_min = WanYuanField(label=_("最低额度（万元）"), help_text=_("如 10 表示10万元。"), **AMOUNT_BOUNDS)
    amount_max = WanYuanField(label=_("最高额度（万元）"), help_text=_("如 500 表示500万元。"), **AMOUNT_BOUNDS)
    eligible_regions = forms.MultipleChoiceField(
        label=_("适用地区"), required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "region-choices"}),
        help_text=_("勾选产品服务的地区；选“全省”包括该省所有城市；都不选表示不限地区。"),
    )  # fmt: skip
    max_pd = PercentField(
        label=_("最高违约概率（%）"), required=False,
        help_text=_("如 5 表示违约概率不超过5%；留空表示不设门槛；也可用“最低信用评级”设门槛。"),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = list(getattr(self.instance, "eligible_regions", None) or [])
        field = self.fields["eligible_regions"]
        if isinstance(field, forms.ChoiceField):
            field.choices = region_grouped_choices(stored)
