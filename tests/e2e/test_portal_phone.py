"""The portal on a 390 px phone: the menu button, tables as cards, search, the score gauge."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

MIN_CELL_WIDTH = 60  # px: a cell narrower than this breaks Chinese text to a character a line


def visit(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url


def log_in(page, base: str, username: str, password: str, next_path: str) -> None:
    visit(page, base + "/accounts/login/?next=" + next_path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**" + next_path)


def test_the_menu_button_opens_and_closes_the_navigation_on_a_phone(live_server, demo_portal, open_page):
    page, errors = open_page(PHONE)
    visit(page, live_server.url + "/")
    menu = page.get_by_role("button", name="菜单")
    products = page.locator("#site-nav").get_by_role("link", name="金融产品超市")
    assert menu.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    assert not products.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 80  # one row, not three rows of links

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert products.is_visible()
    box = products.bounding_box()
    assert box is not None and box["height"] >= 40  # a finger-sized target
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not products.is_visible()

    menu.click()
    products.click()
    page.wait_for_url("**/products/")
    assert errors == []


def test_on_a_desktop_the_links_show_without_a_menu_button(live_server, demo_portal, open_page):
    page, errors = open_page(DESKTOP)
    visit(page, live_server.url + "/")
    assert page.locator("#site-nav").get_by_role("link", name="金融产品超市").is_visible()
    assert not page.locator("[data-nav-toggle]").is_visible()
    assert errors == []


def test_without_javascript_the_menu_link_still_opens_the_navigation(live_server, demo_portal, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        visit(page, live_server.url + "/")
        products = page.locator("#site-nav").get_by_role("link", name="金融产品超市")
        assert not products.is_visible()
        page.locator("[data-nav-toggle]").click()  # a link to #site-nav: opened by :target
        assert products.is_visible()
        page.locator(".nav-close").click()
        assert not products.is_visible()
    finally:
        context.close()


def test_an_authorization_list_is_cards_at_phone_width(live_server, sme_login, open_page):
    from loanhub.enterprises.models import Enterprise
    from tests.factories.credit import authorize

    username, password = sme_login
    enterprise = Enterprise.objects.get(memberships__user__username=username)
    for categories in (["registration", "tax_rating", "social_insurance"], ["utilities"]):
        authorize(enterprise, categories=categories)
    path = f"/enterprises/{enterprise.uscc}/authorizations/"
    page, errors = open_page(PHONE)
    log_in(page, live_server.url, username, password, path)

    cells = page.locator("table.data tbody td")
    assert cells.count() >= 12
    widths = [cells.nth(i).bounding_box()["width"] for i in range(cells.count())]
    assert min(widths) >= MIN_CELL_WIDTH, widths
    assert page.locator("table.data thead").bounding_box()["height"] <= 1  # headers become the cells' labels
    label = page.evaluate("getComputedStyle(document.querySelector('table.data tbody td'), '::before').content")
    assert "被授权方" in label
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []


def test_marketplace_search_for_a_product_type_finds_products(live_server, demo_portal, open_page):
    page, errors = open_page(PHONE)
    visit(page, live_server.url + "/products/")
    page.locator(".filter-card summary").click()  # folded on a phone
    page.get_by_label("关键词").fill("信用贷")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/products/?*")
    titles = page.locator(".product-title").all_inner_texts()
    assert any("税易贷" in t for t in titles)  # the credit-loan type
    assert any("首贷通" in t for t in titles)  # no collateral: a credit loan too
    assert not any("碳账户贷" in t or "知产融" in t for t in titles)  # secured by a mortgage, a pledge
    assert errors == []


@pytest.mark.parametrize("score", [300, 420, 560, 600, 640, 780, 900])
def test_the_gauge_needle_never_covers_the_score(live_server, open_page, score):
    from django.template.loader import render_to_string
    from django.utils import timezone

    record = SimpleNamespace(
        score=score, grade="C", pd_percent="4.7", knockout=False, created_at=timezone.now(),
        model_version=SimpleNamespace(version="test"),
    )  # fmt: skip
    html = render_to_string("credit_data/_score.html", {"score": record, "gauge": {}})
    page, errors = open_page(PHONE)
    page.set_content(f'<link rel="stylesheet" href="{live_server.url}/static/css/portal.css"><main>{html}</main>')
    needle = page.locator(".gauge-needle").bounding_box()
    number = page.locator(".gauge-score").bounding_box()
    assert needle is not None and number is not None
    apart = (
        needle["x"] + needle["width"] <= number["x"]
        or number["x"] + number["width"] <= needle["x"]
        or needle["y"] + needle["height"] <= number["y"]
        or number["y"] + number["height"] <= needle["y"]
    )
    assert apart, (needle, number)
    assert page.locator(".gauge-score").text_content() == str(score)


def test_the_api_docs_load_without_content_security_policy_errors(live_server, open_page):
    page, errors = open_page(DESKTOP)
    visit(page, live_server.url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info")
    assert errors == []
