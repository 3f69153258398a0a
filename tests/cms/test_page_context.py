"""Every portal page gets its context from its presenter in cms.views (cms.presenters):
the home page, the bank list and a bank's page, news by category, zones and a zone."""

from __future__ import annotations

import pytest

from cms.presenters import present
from tests.factories.cms import news_create, product_create, zone_create


@pytest.fixture
def site(portal, bank_a_page):
    product = product_create(bank_a_page, title="甲行绿色贷", tags=["绿色金融"])
    zone = zone_create(portal, tag="绿色金融", slug="green", title="绿色金融专区")
    news_create(portal, title="政策一", category="policy")
    news_create(portal, title="平台动态一", category="platform")
    return {"product": product, "zone": zone}


def test_the_home_page_shows_zones_products_news_and_figures(client, site, portal):
    context = client.get(portal.home.url).context
    assert [z.pk for z in context["zones"]] == [site["zone"].pk]
    assert [p.pk for p in context["featured_products"]] == [site["product"].pk]
    assert len(context["latest_news"]) == 2
    assert {"stats", "portal"} <= set(context.keys())


def test_the_bank_list_and_a_bank_page_show_the_banks_products(client, site, portal, bank_a_page):
    listed = client.get(portal.institutions.url).context["institution_pages"]
    assert [page.pk for page in listed] == [bank_a_page.pk]
    context = client.get(bank_a_page.url).context
    assert [p.pk for p in context["products"]] == [site["product"].pk]
    assert "branches" in context


def test_news_filters_by_a_known_category_and_ignores_an_unknown_one(client, site, portal):
    context = client.get(portal.news.url, {"category": "platform"}).context
    assert context["category"] == "platform" and context["category_query"] == "category=platform"
    assert [n.title for n in context["news_page"]] == ["平台动态一"]
    context = client.get(portal.news.url, {"category": "nonsense"}).context
    assert context["category"] == "" and len(context["news_page"]) == 2


def test_the_zone_list_and_a_zone_show_the_zones_products(client, site, portal):
    assert [z.pk for z in client.get(portal.zones.url).context["zones"]] == [site["zone"].pk]
    products_page = client.get(site["zone"].url).context["products_page"]
    assert [p.pk for p in products_page] == [site["product"].pk]


def test_an_unregistered_presenter_is_a_clear_error(rf, portal):
    with pytest.raises(LookupError, match="no presenter 'nothing'"):
        present("nothing", rf.get("/"), portal.home)
