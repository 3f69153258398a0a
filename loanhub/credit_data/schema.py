"""The columns of each catalog category, their types and natural keys.

This is the documented exchange format: a file for category C has the columns
``uscc``, ``record_date`` and ``COLUMNS[C]`` (downloadable as a template). The
column names are the ones ``risk_models.catalog.RECORD_COLUMNS`` uses; a test
keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "str" | "date" | "decimal" | "int" | "enum" | "bool"
    required: bool = True
    choices: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    label: object = ""


def _c(name: str, kind: str, label: object, **kw: Any) -> Column:
    return Column(name=name, kind=kind, label=label, **kw)


MONEY = {"min_value": 0}
COLUMNS: dict[str, tuple[Column, ...]] = {
    "registration": (
        _c("event", "enum", _("事项"), choices=("establishment", "legal_rep_change", "abnormal_listed")),
        _c("status", "str", _("经营状态")),
        _c("registered_capital", "decimal", _("注册资本（万元）"), required=False, **MONEY),
        _c("paid_in_capital", "decimal", _("实缴资本（万元）"), required=False, **MONEY),
    ),
    "licence": (
        _c("licence_type", "str", _("许可类型")),
        _c("issuer", "str", _("许可机关")),
        _c("valid_from", "date", _("有效期自")),
        _c("valid_to", "date", _("有效期至"), required=False),
    ),
    "penalty": (
        _c("issuer", "str", _("处罚机关")),
        _c("severity", "enum", _("严重程度"), choices=("轻微", "一般", "严重")),
        _c("fine_amount", "decimal", _("罚款金额（元）"), required=False, **MONEY),
        _c("corrected_on", "date", _("整改完成日期"), required=False),
        _c("repaired_on", "date", _("信用修复日期"), required=False),
    ),
    "tax_rating": (
        _c("year", "int", _("评价年度"), min_value=1990, max_value=2100),
        _c("grade", "enum", _("纳税信用等级"), choices=("A", "B", "M", "C", "D")),
    ),
    "tax_payment": (
        _c("period", "str", _("所属期")),
        _c("tax_paid", "decimal", _("缴纳税额（元）"), **MONEY),
        _c("arrears", "decimal", _("欠税金额（元）"), required=False, **MONEY),
    ),
    "social_insurance": (
        _c("month", "date", _("月份")),
        _c("headcount", "int", _("参保人数"), min_value=0),
        _c("amount_paid", "decimal", _("缴费金额（元）"), **MONEY),
        _c("arrears", "decimal", _("欠费金额（元）"), required=False, **MONEY),
    ),
    "housing_fund": (
        _c("month", "date", _("月份")),
        _c("contributors", "int", _("缴存人数"), min_value=0),
        _c("amount", "decimal", _("缴存金额（元）"), **MONEY),
        _c("arrears", "decimal", _("欠缴金额（元）"), required=False, **MONEY),
    ),
    "utilities": (
        _c("month", "date", _("月份")),
        _c("utility", "enum", _("类别"), choices=("electricity", "water", "gas")),
        _c("consumption", "decimal", _("用量"), **MONEY),
        _c("amount_billed", "decimal", _("应缴金额（元）"), **MONEY),
        _c("amount_overdue", "decimal", _("逾期金额（元）"), required=False, **MONEY),
    ),
    "judicial": (
        _c("case_type", "str", _("案由")),
        _c("role", "enum", _("诉讼地位"), choices=("plaintiff", "defendant")),
        _c("amount", "decimal", _("涉案金额（元）"), required=False, **MONEY),
        _c("status", "enum", _("案件状态"), choices=("open", "closed", "enforcing")),
        _c("closed_on", "date", _("结案日期"), required=False),
    ),
    "dishonest_debtor": (
        _c("listed_on", "date", _("列入日期")),
        _c("removed_on", "date", _("移出日期"), required=False),
        _c("issuer", "str", _("列入机关")),
    ),
    "customs": (_c("grade", "enum", _("海关信用等级"), choices=("高级认证", "一般", "失信")),),
    "environment": (
        _c("year", "int", _("评价年度"), min_value=1990, max_value=2100),
        _c("colour", "enum", _("评价等级"), choices=("绿", "蓝", "黄", "红", "黑")),
    ),
    "honour": (
        _c("honour_type", "str", _("荣誉类型")),
        _c("issuer", "str", _("授予机关")),
    ),
    "commitment": (
        _c("commitment", "str", _("承诺事项")),
        _c("fulfilled", "bool", _("是否履行")),
    ),
    "carbon": (
        _c("year", "int", _("年度"), min_value=1990, max_value=2100),
        _c("emissions", "decimal", _("排放量（吨）"), **MONEY),
        _c("emission_intensity", "decimal", _("排放强度"), **MONEY),
        _c("carbon_rating", "enum", _("碳评级"), choices=("深绿", "浅绿", "黄", "红")),
    ),
}  # fmt: skip

#: Columns that, with ``category``, ``uscc`` and ``record_date``, identify a record.
NATURAL_KEY: dict[str, tuple[str, ...]] = {
    "registration": ("event",),
    "licence": ("licence_type", "issuer"),
    "penalty": ("issuer", "fine_amount"),
    "tax_rating": ("year",),
    "tax_payment": ("period",),
    "social_insurance": ("month",),
    "housing_fund": ("month",),
    "utilities": ("month", "utility"),
    "judicial": ("case_type", "role", "amount"),
    "dishonest_debtor": ("listed_on", "issuer"),
    "customs": (),
    "environment": ("year",),
    "honour": ("honour_type", "issuer"),
    "commitment": ("commitment",),
    "carbon": ("year",),
}

BASE_COLUMNS: tuple[str, ...] = ("uscc", "record_date")


def column_names(category: str) -> list[str]:
    return list(BASE_COLUMNS) + [c.name for c in COLUMNS[category]]


#: What people read for the coded values of enum and bool columns (files and the API keep the codes).
VALUE_LABELS: dict[str, dict[object, object]] = {
    "event": {
        "establishment": _("设立登记"),
        "legal_rep_change": _("法定代表人变更"),
        "abnormal_listed": _("列入经营异常名录"),
    },
    "utility": {"electricity": _("电"), "water": _("水"), "gas": _("燃气")},
    "role": {"plaintiff": _("原告"), "defendant": _("被告")},
    "status": {"open": _("审理中"), "closed": _("已结案"), "enforcing": _("执行中")},
}
BOOL_LABELS = {True: _("是"), False: _("否")}


def display_value(column: Column, value: object) -> str:
    """A payload value as people read it: labels for codes, 是/否, thousands separators."""
    if column.kind == "bool" and isinstance(value, bool):
        return str(BOOL_LABELS[value])
    if column.kind == "enum":
        return str(VALUE_LABELS.get(column.name, {}).get(value, value))
    if column.kind == "decimal" and isinstance(value, int | float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if column.kind == "int" and isinstance(value, int) and column.name != "year":
        return f"{value:,}"
    return str(value)
