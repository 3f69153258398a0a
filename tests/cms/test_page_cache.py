"""Anonymous visitors get cached pages; publishing shows up at once."""

from __future__ import annotations

import re
from decimal import Decimal

from django.test import Client

from tests.factories.cms import product_create


def test_second_anonymous_visit_is_served_from_the_cache(client, bank_a_page):
    product = product_create(bank_a_page)
    assert client.get(product.url)["X-Page-Cache"] == "miss"
    assert client.get(product.url)["X-Page-Cache"] == "hit"


def test_a_published_change_shows_up_immediately(client, bank_a_page):
    product = product_create(bank_a_page, rate_min=Decimal("3.45"), rate_max=Decimal("4.20"))
    client.get(product.url)
    client.get("/products/")
    assert client.get(product.url)["X-Page-Cache"] == "hit"

    product.rate_min = Decimal("2.88")
    product.save_revision().publish()

    assert "2.88%–4.20%" in client.get(product.url).content.decode()
    assert "2.88%–4.20%" in client.get("/products/").content.decode()


def test_unpublishing_removes_a_product_from_cached_listings_at_once(client, bank_a_page):
    product = product_create(bank_a_page, title="即将下架贷")
    assert "即将下架贷" in client.get("/products/").content.decode()

    product.unpublish()

    assert "即将下架贷" not in client.get("/products/").content.decode()


def test_a_saved_draft_does_not_change_the_cached_live_page(client, bank_a_page):
    product = product_create(bank_a_page, title="草稿前")
    client.get(product.url)
    product.title = "草稿后"
    product.save_revision()  # not published
    html = client.get(product.url).content.decode()
    assert "草稿前" in html and "草稿后" not in html


def test_logged_in_users_are_never_served_the_anonymous_cache(client, bank_a_page, sme_owner):
    product = product_create(bank_a_page)
    client.get(product.url)
    user, _enterprise = sme_owner
    client.force_login(user)

    response = client.get(product.url)

    assert "X-Page-Cache" not in response
    assert "立即申请" in response.content.decode()


def test_query_string_and_language_get_their_own_cache_entries(client, bank_a_page):
    product_create(bank_a_page, title="甲款", product_type="credit")
    product_create(bank_a_page, title="乙款", product_type="green")
    assert "乙款" in client.get("/products/").content.decode()
    assert "乙款" not in client.get("/products/?product_type=credit").content.decode()
    english = client.get("/products/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english


def test_cached_page_carries_a_csrf_token_valid_for_the_new_visitor(bank_a_page):
    product = product_create(bank_a_page)
    Client().get(product.url)  # first visitor fills the cache
    visitor = Client(enforce_csrf_checks=True)

    response = visitor.get(product.url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())

    assert response["X-Page-Cache"] == "hit"
    posted = visitor.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/", "csrfmiddlewaretoken": token.group(1)},
    )
    assert posted.status_code == 302
