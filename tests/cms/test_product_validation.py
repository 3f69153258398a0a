"""Product rules are checked with clear Chinese messages on the right field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cms.models import FinancingProductPage
from tests.factories.cms import product_fields

from .admin_forms import product_form_data

# Page() looks up its content type, so even the pure clean() tests touch the database.
pytestmark = pytest.mark.django_db


def errors_of(**overrides: object) -> dict[str, list[str]]:
    page = FinancingProductPage(slug="check", **product_fields(**overrides))
    with pytest.raises(ValidationError) as caught:
        page.clean()
    return caught.value.message_dict


def test_a_valid_product_passes_clean():
    FinancingProductPage(slug="ok", **product_fields()).clean()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount_min": Decimal("500000"), "amount_max": Decimal("100000")},
         "amount_max", "最高额度不能低于最低额度。"),
        ({"amount_min": Decimal("0")}, "amount_min", "贷款额度必须大于0元。"),
        ({"amount_max": Decimal("-5")}, "amount_max", "贷款额度必须大于0元。"),
        ({"term_min_months": 24, "term_max_months": 12},
         "term_max_months", "最长期限不能短于最短期限。"),
        ({"term_min_months": 0}, "term_min_months", "贷款期限至少为1个月。"),
        ({"rate_min": Decimal("5.00"), "rate_max": Decimal("4.00")},
         "rate_max", "最高年化利率不能低于最低年化利率。"),
        ({"rate_max": Decimal("36.01")}, "rate_max", "年化利率应在0%到36%之间。"),
        ({"rate_min": Decimal("-0.10")}, "rate_min", "年化利率应在0%到36%之间。"),
        ({"max_pd": Decimal("1.5")}, "max_pd", "违约概率应在0到1之间。"),
        ({"repayment_methods": ["weekly"]}, "repayment_methods", "不支持的取值：weekly"),
        ({"eligible_industries": ["C", "ZZ"]}, "eligible_industries", "不支持的取值：ZZ"),
        ({"required_categories": ["tax_rating", "diary"]},
         "required_categories", "不支持的取值：diary"),
    ],
)  # fmt: skip
def test_inconsistent_product_terms_are_rejected_on_the_right_field(overrides, field, message):
    assert message in errors_of(**overrides)[field]


@pytest.mark.parametrize("code", ["44010", "4401000", "abcdef", "990100", "040100"])
def test_malformed_region_codes_are_rejected(code):
    messages = errors_of(eligible_regions=["440100", code])["eligible_regions"]
    assert len(messages) == 1
    assert f"地区代码“{code}”格式不正确" in messages[0]


def test_city_province_and_county_codes_are_accepted():
    FinancingProductPage(slug="ok", **product_fields(eligible_regions=["440000", "440100", "440106"])).clean()


def test_admin_form_shows_the_message_next_to_the_field(client, officer_a, bank_a_page):
    client.force_login(officer_a)
    url = reverse("wagtailadmin_pages:add", args=["cms", "financingproductpage", bank_a_page.pk])

    response = client.post(
        url,
        product_form_data(
            amount_min="90", amount_max="10", eligible_regions=["440100", "12345"],
            **{"action-submit": "1"},
        ),
    )  # fmt: skip

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["amount_max"] == ["最高额度不能低于最低额度。"]
    assert "12345" in errors["eligible_regions"][0]  # not one of the named regions
    assert not FinancingProductPage.objects.filter(slug="new-product").exists()
