"""Controlled vocabularies of financing products, shared with the matching engine."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductType(models.TextChoices):
    CREDIT = "credit", _("信用贷")
    MORTGAGE = "mortgage", _("抵押贷")
    GUARANTEE = "guarantee", _("担保贷")
    IP_PLEDGE = "ip_pledge", _("知识产权质押")
    SUPPLY_CHAIN = "supply_chain", _("供应链")
    BILL = "bill", _("票据")
    GREEN = "green", _("绿色贷款")
    FIRST_LOAN = "first_loan", _("首贷")
    RENEWAL = "renewal", _("续贷")


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALMENT = "equal_instalment", _("等额本息")
    EQUAL_PRINCIPAL = "equal_principal", _("等额本金")
    INTEREST_FIRST = "interest_first", _("先息后本")
    REVOLVING = "revolving", _("随借随还")
    BULLET = "bullet", _("到期一次还本付息")


class Collateral(models.TextChoices):
    NONE = "none", _("无需抵押担保")
    MORTGAGE = "mortgage", _("抵押")
    GUARANTEE = "guarantee", _("保证担保")
    PLEDGE = "pledge", _("质押")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class NewsCategory(models.TextChoices):
    POLICY = "policy", _("政策文件")
    INTERPRETATION = "interpretation", _("政策解读")
    PLATFORM = "platform", _("平台动态")
    FINANCE = "finance", _("金融动态")


def repayment_choices() -> list[tuple[str, object]]:
    return list(RepaymentMethod.choices)


def industry_section_choices() -> list[tuple[str, object]]:
    from loanhub.enterprises.catalogs import industry_choices

    return industry_choices()


def credit_category_choices() -> Sequence[tuple[str, object]]:
    from loanhub.credit_data.catalog import category_choices

    return category_choices()
