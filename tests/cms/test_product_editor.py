"""The product editor speaks the bank's language: amounts in 万元, regions by name,
PD in per cent; the page keeps 元, division codes and a PD fraction for the matcher."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cms.editor_forms import region_grouped_choices
from cms.models import FinancingProductPage
from tests.factories.cms import product_create

from .admin_forms import product_form_data

pytestmark = pytest.mark.django_db


def add_url(bank_page) -> str:
    return reverse("wagtailadmin_pages:add", args=["cms", "financingproductpage", bank_page.pk])


def test_a_new_product_typed_in_wan_percent_and_region_names_is_stored_in_yuan_fraction_and_codes(
    client, officer_a, bank_a_page
):
    client.force_login(officer_a)
    form = client.get(add_url(bank_a_page)).content.decode()
    assert "最低额度（万元）" in form and "最高违约概率（%）" in form
    assert "广州市" in form and 'value="440100"' in form and "江苏省（全省）" in form
    data = product_form_data(
        title="万元测试贷", slug="wan-loan", amount_min="10", amount_max="500", max_pd="5",
        eligible_regions=["440100", "320000"], **{"action-submit": "1"},
    )  # fmt: skip
    response = client.post(add_url(bank_a_page), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    page = FinancingProductPage.objects.get(slug="wan-loan")
    assert page.amount_min == Decimal("100000") and page.amount_max == Decimal("5000000")
    assert page.max_pd == Decimal("0.05")
    assert sorted(page.eligible_regions) == ["320000", "440100"]


def test_the_edit_form_shows_the_stored_yuan_as_wan_and_the_pd_as_percent(client, officer_a, bank_a_page):
    product = product_create(
        bank_a_page, amount_min=Decimal("300000"), amount_max=Decimal("12000000"), max_pd=Decimal("0.0450"),
        eligible_regions=["440300"],
    )  # fmt: skip
    client.force_login(officer_a)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[product.pk]))
    form = response.context["form"]
    assert form["amount_min"].value() == "30" and form["amount_max"].value() == "1200"
    assert form["max_pd"].value() == "4.5"
    assert form["eligible_regions"].value() == ["440300"]
    assert 'value="440300" checked' in response.content.decode() or "checked" in str(form["eligible_regions"])


def test_an_amount_typed_in_yuan_by_habit_is_refused_not_stored_as_a_billion(client, officer_a, bank_a_page):
    client.force_login(officer_a)
    data = product_form_data(title="误填贷", slug="typo-loan", amount_min="100000", amount_max="5000000")
    response = client.post(add_url(bank_a_page), {**data, "action-submit": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["amount_max"] == [
        "额度不能超过100,000万元（10亿元）；请按万元填写，如 500 表示500万元。"
    ]
    assert not FinancingProductPage.objects.filter(slug="typo-loan").exists()


def test_a_stored_code_outside_the_catalogue_stays_selectable_by_name():
    groups = dict(region_grouped_choices(["440106"]))
    assert ("440106", "广东省广州市（440106）") in groups["其他已选地区"]
    assert ("440000", "广东省（全省）") in groups["广东省"]
    assert ("310000", "上海市") in groups["其他省份"]  # a municipality is one entry, not two
    every = [code for entries in groups.values() for code, _label in entries]
    assert len(every) == len(set(every))
