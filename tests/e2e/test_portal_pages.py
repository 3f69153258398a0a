"""The public portal in a real browser, at desktop and phone sizes."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def visit(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_portal_pages_render_without_errors_or_sideways_scrolling(live_server, demo_portal, open_page, viewport):
    page, errors = open_page(viewport)
    base = live_server.url
    checks = {
        "/": "让信用变成资金",
        "/products/": "金融产品超市",
        "/products/?product_type=green&sort=rate": "碳账户贷",
        "/institutions/yuexin-bank/yuexin-bank-tax-easy/": "年化利率 3.45%–4.20%",
        "/zones/green/": "绿色金融专区",
        "/news/news-01/": "信易贷",
        "/institutions/": "粤信商业银行股份有限公司",
    }
    too_wide = []
    for path, text in checks.items():
        visit(page, base + path)
        assert text in page.content(), path
        if not no_sideways_scroll(page):
            too_wide.append((path, page.evaluate("document.documentElement.scrollWidth")))
    assert too_wide == []
    assert errors == []


def test_marketplace_filters_and_compare_work_in_the_browser(live_server, demo_portal, open_page):
    page, errors = open_page(DESKTOP)
    visit(page, live_server.url + "/products/")

    page.get_by_label("产品类型").select_option("ip_pledge")
    page.get_by_label("排序").select_option("rate")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/products/?*product_type=ip_pledge*")
    titles = page.locator(".product-title").all_inner_texts()
    assert titles and all("知产融" in t for t in titles)

    boxes = page.locator(".compare-box")
    for i in range(4):
        boxes.nth(i).check() if i < 3 else boxes.nth(i).click()
    assert page.locator(".compare-box:checked").count() == 3
    assert "最多可同时对比 3 款产品" in page.locator("[data-compare-status]").inner_text()
    page.get_by_role("button", name="对比所选").click()
    page.wait_for_url("**/products/compare/**")
    assert page.locator(".compare-table thead th").count() == 4  # label column + 3
    assert errors == []


def test_an_sme_applies_to_a_product_from_the_marketplace_once(live_server, demo_portal, sme_login, open_page):
    """立即申请 on a product → the application form → (no authorization yet) the
    authorization → back → submitted once; the product page then says so."""
    from decimal import Decimal

    from cms.models import InstitutionPage
    from loanhub.matching.matcher import products_changed
    from tests.factories.cms import product_create

    bank_page = InstitutionPage.objects.get(institution=demo_portal.banks["yuexin-bank"])
    product = product_create(
        bank_page, title="粤信银行·E2E首贷", slug="e2e-first-loan", min_grade="", max_pd=None,
        amount_min=Decimal("100000"), required_categories=["registration"], eligible_regions=[],
    )  # fmt: skip
    products_changed()
    username, password = sme_login
    page, errors = open_page(PHONE)
    product_path = "/institutions/yuexin-bank/e2e-first-loan/"
    visit(page, live_server.url + "/accounts/login/?next=" + product_path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**" + product_path)

    def fill_and_submit() -> None:
        page.get_by_label("申请金额（万元）").fill("30")
        page.get_by_label("期限（月）").fill("12")
        page.get_by_label("资金用途").fill("支付货款")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="提交申请").click()

    page.get_by_role("link", name="立即申请").click()
    page.wait_for_url(f"**/apply/{product.pk}/")
    fill_and_submit()
    page.wait_for_url("**/authorizations/new/**")
    page.get_by_role("button", name="下一步：阅读授权书").click()
    page.get_by_label("登录密码").fill(password)
    page.get_by_role("button", name="我已阅读并同意，签署授权").click()
    page.wait_for_url(f"**/apply/{product.pk}/")
    fill_and_submit()
    page.wait_for_url("**/needs/*/")
    assert "申请已提交给 粤信银行" in page.content()
    visit(page, live_server.url + product_path)
    assert "您已申请过该产品" in page.content()
    assert page.get_by_role("link", name="立即申请").count() == 0
    assert no_sideways_scroll(page)
    assert errors == []
