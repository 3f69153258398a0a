"""A new SME owner's first hour in a real browser (Playwright + Debian's Chromium), on a
phone (390 px) and on a desktop: register, verify against the sandbox register, authorize,
see a real (sandbox) profile, post a need, choose the products to apply to, follow it."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_portal_pages import no_sideways_scroll

pytestmark = pytest.mark.e2e
PASSWORD = "Str0ng-e2e-pass-1"
# Screenshots of each step when asked for (LOANHUB_E2E_SHOTS=<folder>, outside the repository).
SHOTS = os.environ.get("LOANHUB_E2E_SHOTS", "")


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    from risk_models.bundled import ensure_sandbox_model

    return ensure_sandbox_model(tmp_path_factory.mktemp("model"), n_enterprises=3000, seed=7)


@pytest.fixture
def journey(demo_portal, settings, small_model):
    """The demo's portal and banks, a live model, two open credit products; the sandbox
    register and sandbox records on, as in the demo."""
    from cms.models import InstitutionPage
    from loanhub.matching.matcher import products_changed
    from loanhub.scoring.services import model_activate, model_register
    from tests.factories.cms import product_create

    settings.LOANHUB_SANDBOX_REGISTRY = True
    settings.LOANHUB_SANDBOX_RECORDS = True
    model_activate(version=model_register(path=small_model))
    products = []
    for slug, title in (("yuexin-bank", "粤信银行·首贷信用贷"), ("zhujiang-rcb", "珠江农商行·经营快贷")):
        bank = demo_portal.banks[slug]
        page = InstitutionPage.objects.get(institution=bank)
        products.append(
            product_create(
                page, title=title, min_grade="", max_pd=None, amount_min=Decimal("100000"),
                amount_max=Decimal("3000000"), required_categories=["registration"], eligible_regions=[],
            )
        )  # fmt: skip
    products_changed()
    return products


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign(page) -> None:
    """On the authorization form: go on, read the text, sign with the password."""
    page.get_by_role("button", name="下一步：阅读授权书").click()
    page.wait_for_url("**/authorizations/confirm/**")
    assert "企业公共信用信息查询使用授权书" in page.locator("#consent-text").inner_text()
    page.get_by_label("登录密码").fill(PASSWORD)
    page.get_by_role("button", name="我已阅读并同意，签署授权").click()


def _register(page, live_server, uscc: str) -> None:
    page.goto(live_server.url + "/accounts/register/")
    for field, value in (
        ("username", "first_hour"), ("display_name", "林一鸣"), ("email", "first@example.com"),
        ("password1", PASSWORD), ("password2", PASSWORD), ("uscc", uscc),
        ("enterprise_name", "广州一鸣精密制造有限公司"), ("legal_representative", "林一鸣"),
        ("registered_capital", "300"), ("registration_date", "2019-06-18"),
    ):  # fmt: skip
        page.locator(f"#id_{field}").fill(value)
    assert page.locator("#id_region").count() == 0  # the region comes from the code
    page.locator("#id_industry").select_option("C")
    assert page.get_by_role("link", name="《平台用户协议》").get_attribute("href") == "/accounts/legal/terms/"
    page.locator("#id_agree").check()
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(f"**/enterprises/{uscc}/verification/")


def test_a_new_sme_goes_from_registration_to_following_its_application(live_server, journey, open_page):
    from loanhub.enterprises.registry import registration_record_get
    from loanhub.matching.models import Lead
    from tests.factories.enterprises import make_uscc

    uscc = make_uscc(424242, region="440100")
    page, errors = open_page(PHONE)
    _register(page, live_server, uscc)

    # Verify against the sandbox register (the demo shows the synthetic record to type in).
    record = registration_record_get(uscc=uscc)
    page.get_by_label("法定代表人姓名").fill(record.legal_representative)
    page.get_by_label("法定代表人身份证号").fill(record.id_number)
    page.get_by_label("法定代表人手机号").fill(record.mobile)
    page.get_by_role("button", name="核验并认证").click()
    page.wait_for_selector("text=企业要素核验通过")

    # The dashboard says where the SME stands: verified, authorizing is next.
    page.goto(live_server.url + "/accounts/dashboard/")
    current = page.locator('.step[aria-current="step"]')
    assert "数据授权" in current.inner_text()
    assert page.locator(".step-done").count() == 1
    assert no_sideways_scroll(page)
    _shot(page, "dashboard-phone-verified")
    current.get_by_role("link", name="签署授权").click()
    page.wait_for_url("**/authorizations/new/**")
    assert page.get_by_label("平台（用于本企业的信用画像与评分）").is_checked()
    assert page.get_by_label("金融机构", exact=True).is_hidden()  # the bank list only for a bank
    page.get_by_label("指定金融机构").check()
    assert page.get_by_label("金融机构", exact=True).is_visible()
    page.get_by_label("平台（用于本企业的信用画像与评分）").check()
    assert no_sideways_scroll(page)
    _sign(page)
    page.wait_for_url("**/authorizations/**")

    # The sandbox answered the authorization: a real (synthetic, labelled) profile.
    page.goto(live_server.url + f"/enterprises/{uscc}/credit/")
    body = page.content()
    assert "沙箱数据" in body and "示例数据" in body
    assert "数据不足，暂不评级" not in body
    assert page.locator(".grade-badge").count() == 1
    assert "无数据" not in page.locator(".factor").all_inner_texts().__str__()
    assert no_sideways_scroll(page)
    _shot(page, "profile-phone")

    # Post a need; the platform asks for an authorization of the banks it will reach.
    page.goto(live_server.url + "/accounts/dashboard/")
    page.locator('.step[aria-current="step"]').get_by_role("link", name="发布融资需求").click()
    page.get_by_label("融资金额（万元）").fill("80")
    page.get_by_label("期限（月）").fill("12")
    page.get_by_label("资金用途").fill("采购原材料")
    page.get_by_role("button", name="发布并匹配").click()
    page.wait_for_url("**/authorizations/new/**")
    assert page.get_by_label("我申请或对接的金融机构").is_checked()
    _sign(page)
    page.wait_for_url(f"**/enterprises/{uscc}/needs/new/")
    page.get_by_role("button", name="发布并匹配").click()
    page.wait_for_url(f"**/enterprises/{uscc}/needs/*/**")

    # Nothing is applied for the SME: it ticks one of its matches.
    assert not Lead.objects.filter(enterprise__uscc=uscc).exists()
    first, second = journey
    assert page.locator(".match-pick").count() >= 2
    page.get_by_label(first.title).check()
    assert no_sideways_scroll(page)
    _shot(page, "need-choose-phone")
    page.get_by_role("button", name="申请所选产品").click()
    page.wait_for_selector("text=已提交 1 项申请")
    leads = list(Lead.objects.filter(enterprise__uscc=uscc))
    assert [lead.product_id for lead in leads] == [first.pk]
    assert page.locator(f"#lead-{leads[0].pk}").is_visible()
    assert second.title in page.locator("#matches").inner_text()  # still a suggestion, not a lead
    need_url = page.url.split("#")[0]
    assert errors == []

    # On a desktop: the dashboard shows every step done; the need page follows the application.
    desk, desk_errors = open_page(DESKTOP)
    desk.context.add_cookies(page.context.cookies())
    desk.goto(live_server.url + "/accounts/dashboard/")
    assert desk.locator(".step-done").count() == 4
    _shot(desk, "dashboard-desktop-done")
    desk.goto(need_url)
    assert "待受理" in desk.locator(f"#lead-{leads[0].pk}").inner_text()
    assert no_sideways_scroll(desk)
    _shot(desk, "need-desktop")
    assert desk_errors == []
