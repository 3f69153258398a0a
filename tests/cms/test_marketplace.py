"""金融产品超市: each filter, sorting, search, pagination, empty state, comparison."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cms.selectors import ProductFilters, product_search
from tests.factories.cms import product_create, zone_create

TITLES = ("甲行税易贷", "甲行碳账户贷", "乙行科创知识产权贷", "乙行草稿贷")


@pytest.fixture
def catalog(portal, bank_a_page, bank_b_page):
    zone_create(portal, tag="绿色金融", slug="green", title="绿色金融专区")
    zone_create(portal, tag="科技创新", slug="tech", title="科技创新专区")
    credit = product_create(
        bank_a_page,
        title="甲行税易贷",
        product_type="credit",
        amount_min=Decimal("100000"),
        amount_max=Decimal("1000000"),
        term_min_months=6,
        term_max_months=24,
        rate_min=Decimal("3.45"),
        rate_max=Decimal("4.20"),
        tags=["制造业"],
    )
    green = product_create(
        bank_a_page,
        title="甲行碳账户贷",
        product_type="green",
        amount_min=Decimal("500000"),
        amount_max=Decimal("5000000"),
        term_min_months=12,
        term_max_months=60,
        rate_min=Decimal("3.10"),
        rate_max=Decimal("3.90"),
        eligible_regions=["440000"],
        tags=["绿色金融"],
    )
    ip = product_create(
        bank_b_page,
        title="乙行科创知识产权贷",
        product_type="ip_pledge",
        amount_min=Decimal("300000"),
        amount_max=Decimal("3000000"),
        term_min_months=12,
        term_max_months=36,
        rate_min=Decimal("4.50"),
        rate_max=Decimal("5.50"),
        eligible_regions=["440300"],
        tags=["科技创新"],
    )
    product_create(bank_b_page, title="乙行草稿贷", live=False)
    return {"credit": credit, "green": green, "ip": ip}  # fmt: skip


def shown(client, query: str) -> set[str]:
    html = client.get(f"/products/?{query}").content.decode()
    return {title for title in TITLES if title in html}


FILTER_CASES = {
    "": {"甲行税易贷", "甲行碳账户贷", "乙行科创知识产权贷"},
    "product_type=green": {"甲行碳账户贷"},
    "amount=200": {"甲行碳账户贷", "乙行科创知识产权贷"},  # 200万 within range
    "amount=10": {"甲行税易贷"},
    "term=30": {"甲行碳账户贷", "乙行科创知识产权贷"},
    "term=6": {"甲行税易贷"},
    "bank=bank-b": {"乙行科创知识产权贷"},
    "bank=bank-a": {"甲行税易贷", "甲行碳账户贷"},
    "region=440100": {"甲行税易贷", "甲行碳账户贷"},  # province code covers 广州
    "region=440300": {"甲行税易贷", "甲行碳账户贷", "乙行科创知识产权贷"},
    "region=310100": {"甲行税易贷"},  # only "anywhere" covers 上海
    "zone=绿色金融": {"甲行碳账户贷"},
    "zone=科技创新": {"乙行科创知识产权贷"},
    "rate=3.5": {"甲行税易贷", "甲行碳账户贷"},
    "rate=3.2": {"甲行碳账户贷"},
    "q=知识产权": {"乙行科创知识产权贷"},
    "q=碳账户": {"甲行碳账户贷"},
    "product_type=credit&bank=bank-b": set(),
}


def test_each_marketplace_filter_returns_exactly_the_matching_live_products(client, catalog):
    # One catalogue for every case (building pages is the slow part of these tests).
    mismatches = {
        query: shown(client, query) for query, expected in FILTER_CASES.items() if shown(client, query) != expected
    }
    assert mismatches == {}


def test_invalid_filter_input_is_reported_and_ignored(client, catalog):
    response = client.get("/products/?amount=abc&term=-3")
    html = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" in html
    assert shown(client, "amount=abc&term=-3") == {"甲行税易贷", "甲行碳账户贷", "乙行科创知识产权贷"}


def test_empty_result_shows_an_empty_state_with_a_way_back(client, catalog):
    html = client.get("/products/?amount=100000").content.decode()  # 10亿
    assert "没有符合条件的产品" in html
    assert "查看全部产品" in html


def test_draft_products_never_appear(client, catalog):
    assert "乙行草稿贷" not in client.get("/products/").content.decode()


def test_sorting_orders_products_by_rate_amount_or_newest(catalog):
    def order(sort: str) -> list[int]:
        return [p.pk for p in product_search(filters=ProductFilters(sort=sort))]

    pks = {key: product.pk for key, product in catalog.items()}
    assert order("rate") == [pks["green"], pks["credit"], pks["ip"]]
    assert order("amount") == [pks["green"], pks["ip"], pks["credit"]]
    assert order("newest") == [pks["ip"], pks["green"], pks["credit"]]


def test_search_results_carry_their_institution_without_extra_queries(catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        result = product_search(filters=ProductFilters())
        names = {p.title: p.institution.slug for p in result}
    assert names["乙行科创知识产权贷"] == "bank-b"
    assert names["甲行税易贷"] == "bank-a"


def test_marketplace_paginates_twelve_per_page(client, bank_a_page):
    for n in range(13):
        product_create(bank_a_page, title=f"分页产品{n:02d}")
    first = client.get("/products/").content.decode()
    second = client.get("/products/?page=2").content.decode()
    assert "共 13 款产品" in first
    assert first.count('class="card product-card"') == 12
    assert second.count('class="card product-card"') == 1
    assert "分页产品00" in second  # newest first: the oldest is on page 2


def test_compare_shows_the_chosen_products_side_by_side(client, catalog):
    ids = f"{catalog['credit'].pk},{catalog['ip'].pk}"
    html = client.get(f"/products/compare/?ids={ids}").content.decode()
    assert "甲行税易贷" in html and "乙行科创知识产权贷" in html
    assert "3.45%–4.20%" in html and "4.50%–5.50%" in html
    assert "甲行碳账户贷" not in html


def test_compare_accepts_repeated_ids_from_the_checkbox_form(client, catalog):
    url = f"/products/compare/?ids={catalog['credit'].pk}&ids={catalog['green'].pk}"
    html = client.get(url).content.decode()
    assert "甲行税易贷" in html and "甲行碳账户贷" in html


def test_compare_more_than_three_says_so_and_shows_three(client, catalog, bank_a_page):
    extra = product_create(bank_a_page, title="甲行第四款")
    ids = [catalog["credit"].pk, catalog["green"].pk, catalog["ip"].pk, extra.pk]
    html = client.get(f"/products/compare/?ids={','.join(map(str, ids))}").content.decode()
    assert "最多可同时对比 3 款产品" in html
    assert "甲行第四款" not in html
    assert html.count('<th scope="col"><a href=') == 3
