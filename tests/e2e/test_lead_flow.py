"""The whole financing flow in a real browser (Playwright + Debian's Chromium):
an SME authorizes, posts a need, sees its matches and applies; a bank officer
claims, approves and records the disbursement in the back office; the SME sees
the timeline of its application."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_portal_pages import no_sideways_scroll

pytestmark = pytest.mark.e2e


@pytest.fixture
def flow(demo_portal, sme_login):
    """An SME without any authorization yet, and one open credit product at 粤信银行."""
    from cms.models import InstitutionPage
    from loanhub.enterprises.models import Enterprise
    from loanhub.matching.matcher import products_changed
    from tests.factories.cms import product_create

    page = InstitutionPage.objects.get(institution=demo_portal.banks["yuexin-bank"])
    product = product_create(
        page, title="粤信银行·E2E信用贷", min_grade="", max_pd=None, amount_min=Decimal("100000"),
        amount_max=Decimal("2000000"), required_categories=["registration"], eligible_regions=[],
    )  # fmt: skip
    products_changed()
    enterprise = Enterprise.objects.get(memberships__user__username=sme_login[0])
    return {"product": product, "enterprise": enterprise, "officer": demo_portal.users["demo_bank"]}


def login_officer(context, live_server, user) -> None:
    """A session cookie for a fully logged-in officer (password and TOTP already passed:
    the 2FA flow itself is covered by tests/loanhub/accounts)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="e2e", confirmed=True
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])


def test_sme_applies_and_bank_approves_and_disburses(live_server, flow, sme_login, open_page, browser):
    username, password = sme_login
    uscc = flow["enterprise"].uscc
    page, errors = open_page(PHONE)
    page.goto(live_server.url + f"/accounts/login/?next=/enterprises/{uscc}/needs/new/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/enterprises/{uscc}/needs/new/")

    # Post a need: no authorization yet, so the platform asks for one first.
    page.get_by_label("融资金额（万元）").fill("50")
    page.get_by_label("期限（月）").fill("12")
    page.get_by_label("资金用途").fill("采购原材料")
    page.get_by_role("button", name="发布并匹配").click()
    page.wait_for_url("**/authorizations/new/**")
    assert page.get_by_label("我申请或对接的金融机构").is_checked()
    page.get_by_role("button", name="下一步：阅读授权书").click()
    page.wait_for_url("**/authorizations/confirm/**")
    assert "企业公共信用信息查询使用授权书" in page.locator("#consent-text").inner_text()
    page.get_by_label("登录密码").fill(password)
    page.get_by_role("button", name="我已阅读并同意，签署授权").click()

    # Back on the need form with what was typed; post it.
    page.wait_for_url(f"**/enterprises/{uscc}/needs/new/")
    assert page.get_by_label("资金用途").input_value() == "采购原材料"
    page.get_by_role("button", name="发布并匹配").click()
    page.wait_for_url(f"**/enterprises/{uscc}/needs/*/**")
    assert "粤信银行·E2E信用贷" in page.content()
    # Matching suggests; the SME ticks the product to apply to.
    page.get_by_label("粤信银行·E2E信用贷").check()
    page.get_by_role("button", name="申请所选产品").click()
    page.wait_for_selector("text=已推送给金融机构")
    need_url = page.url.split("#")[0]
    assert no_sideways_scroll(page)
    assert errors == []

    # The officer works the lead in the back office (desktop).
    from loanhub.matching.models import Lead

    lead = Lead.objects.get(enterprise=flow["enterprise"], product=flow["product"])
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    login_officer(context, live_server, flow["officer"])
    bank = context.new_page()
    bank_errors: list[str] = []
    bank.on("pageerror", lambda exc: bank_errors.append(str(exc)))
    bank.goto(live_server.url + "/cms-admin/leads/")
    bank.get_by_role("link", name=flow["enterprise"].name).first.click()
    bank.wait_for_url(f"**/cms-admin/leads/{lead.pk}/")
    assert "授权范围内的信用画像" in bank.content()
    bank.get_by_role("button", name="受理").click()
    bank.wait_for_url(f"**/cms-admin/leads/{lead.pk}/")
    bank.get_by_label("批准金额（万元）").fill("40")
    bank.get_by_label("年化利率（%）").fill("3.85")
    bank.get_by_label("期限（月）").fill("12")
    bank.once("dialog", lambda dialog: dialog.accept())
    bank.get_by_role("button", name="批准", exact=True).click()
    bank.wait_for_selector("text=放款反馈")
    bank.get_by_label("放款金额（万元）").fill("40")
    bank.get_by_role("button", name="记录放款").click()
    bank.wait_for_load_state()
    assert "放款信息已记录" in bank.content(), bank.locator(".messages").all_inner_texts()
    context.close()
    assert bank_errors == []

    # The SME sees the whole timeline.
    page.goto(need_url)
    timeline = page.locator(f"#lead-{lead.pk} .timeline").inner_text()
    for step in ("已推送给金融机构", "金融机构已受理", "已批准", "已放款"):
        assert step in timeline
    card = page.locator(f"#lead-{lead.pk}").inner_text()
    assert "批准金额" in card and "3.85%" in card, card
    assert errors == []
