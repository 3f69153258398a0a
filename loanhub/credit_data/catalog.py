"""The public-credit data catalog (DESIGN.md §3): category codes, names, sensitivity.

Source names are Chinese; English comes from the translation catalogue. The same
codes are used by ``risk_models.catalog`` (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    code: str
    name: Promise
    sensitive: bool = False  # needs its own explicit tick in an authorization
    negative: bool = False  # negative information (5-year rule applies)


CATEGORIES: tuple[Category, ...] = (
    Category("registration", _("登记注册")),
    Category("licence", _("行政许可")),
    Category("penalty", _("行政处罚"), negative=True),
    Category("tax_rating", _("纳税信用等级")),
    Category("tax_payment", _("纳税（金额）"), sensitive=True),
    Category("social_insurance", _("社保缴纳")),
    Category("housing_fund", _("公积金")),
    Category("utilities", _("水电燃气")),
    Category("judicial", _("司法判决 / 被执行"), negative=True),
    Category("dishonest_debtor", _("失信被执行人"), negative=True),
    Category("customs", _("海关信用")),
    Category("environment", _("环保信用评价")),
    Category("honour", _("守信激励 / 荣誉")),
    Category("commitment", _("信用承诺")),
    Category("carbon", _("碳账户")),
)

CATEGORY_BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
SENSITIVE_CODES: frozenset[str] = frozenset(c.code for c in CATEGORIES if c.sensitive)


def category_choices() -> list[tuple[str, Promise]]:
    return [(c.code, c.name) for c in CATEGORIES]
