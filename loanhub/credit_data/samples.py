"""The sample row of each category's import template, and a column's allowed values in words.

The sample row shows a department what a filled-in row looks like. Its ``uscc`` says
it is a sample, so a template uploaded unchanged rejects that row (with its reason)
instead of storing an invented record.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .schema import COLUMNS, Column

SAMPLE_USCC = "示例行-导入前请删除"
SAMPLE_RECORD_DATE = "2025-06-30"

# Realistic values where a column's kind alone says too little.
TEXT_SAMPLES: dict[tuple[str, str], str] = {
    ("registration", "status"): "存续",
    ("licence", "licence_type"): "食品经营许可证",
    ("licence", "issuer"): "广州市市场监督管理局",
    ("penalty", "issuer"): "广州市生态环境局",
    ("tax_payment", "period"): "2025-06",
    ("judicial", "case_type"): "买卖合同纠纷",
    ("dishonest_debtor", "issuer"): "广州市天河区人民法院",
    ("honour", "honour_type"): "高新技术企业",
    ("honour", "issuer"): "广东省科学技术厅",
    ("commitment", "commitment"): "按期足额缴纳社会保险费",
}
NUMBER_SAMPLES: dict[str, str] = {
    "registered_capital": "500",
    "paid_in_capital": "300",
    "fine_amount": "5000",
    "tax_paid": "86500.00",
    "headcount": "25",
    "contributors": "25",
    "amount_paid": "28400.00",
    "amount": "12000.00",
    "arrears": "0",
    "consumption": "18200",
    "amount_billed": "15600.00",
    "amount_overdue": "0",
    "emissions": "1250.5",
    "emission_intensity": "0.32",
}


def sample_value(category: str, column: Column) -> str:
    if column.kind == "enum":
        return column.choices[0]
    if column.kind == "date":
        return SAMPLE_RECORD_DATE
    if column.kind == "bool":
        return "是"
    if column.kind == "int" and (column.min_value or 0) >= 1990:
        return "2024"  # a year
    if column.kind in ("int", "decimal"):
        return NUMBER_SAMPLES.get(column.name, "1")
    return TEXT_SAMPLES.get((category, column.name), str(column.label))


def sample_row(category: str) -> list[str]:
    """One filled-in row in the template's column order (uscc, record_date, the category's columns)."""
    return [SAMPLE_USCC, SAMPLE_RECORD_DATE, *(sample_value(category, c) for c in COLUMNS[category])]


def allowed_values(column: Column) -> str:
    """What a cell of the column may hold, in words (shown beside the template)."""
    if column.kind == "enum":
        return _("取值：%(choices)s") % {"choices": " / ".join(column.choices)}
    if column.kind == "date":
        return _("日期：YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD")
    if column.kind == "bool":
        return _("是 / 否（也可写 1/0、true/false）")
    if column.kind in ("int", "decimal"):
        kind = _("整数") if column.kind == "int" else _("数字")
        if column.min_value is not None and column.max_value is not None:
            return _("%(kind)s，%(min)s 至 %(max)s") % {
                "kind": kind,
                "min": f"{column.min_value:g}",
                "max": f"{column.max_value:g}",
            }
        if column.min_value is not None:
            return _("%(kind)s，不小于 %(min)s") % {"kind": kind, "min": f"{column.min_value:g}"}
        return kind
    return _("文本，最多200字")
