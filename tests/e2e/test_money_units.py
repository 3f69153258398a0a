"""In the browser: an officer types 150 in the 万元 approval field, is asked to confirm an
amount above the need, and the lead page then shows 150 万元 (not 150 元)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_lead_flow import login_officer
from tests.e2e.test_portal_pages import no_sideways_scroll

pytestmark = pytest.mark.e2e


@pytest.fixture
def claimed_lead(demo_portal):
    """A claimed lead at 粤信银行: the SME asked for 50万元; the product lends 10–500万元."""
    from cms.models import InstitutionPage
    from loanhub.matching.lifecycle import lead_claim
    from tests.factories.cms import product_create
    from tests.loanhub.matching.helpers import lead_for

    page = InstitutionPage.objects.get(institution=demo_portal.banks["yuexin-bank"])
    product = product_create(
        page, title="粤信银行·万元测试贷", min_grade="", max_pd=None, amount_min=Decimal("100000"),
        amount_max=Decimal("5000000"), required_categories=["registration"], eligible_regions=[],
    )  # fmt: skip
    officer = demo_portal.users["demo_bank"]
    return lead_claim(lead=lead_for(product), officer=officer), officer


def test_officer_approves_150_wan_and_the_page_shows_150_wan(live_server, claimed_lead, browser):
    from loanhub.matching.models import Lead, LeadStatus

    lead, officer = claimed_lead
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    login_officer(context, live_server, officer)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + f"/cms-admin/leads/{lead.pk}/")
    assert "本产品额度 10–500 万元" in page.locator("#approve-ranges").inner_text()

    page.get_by_label("批准金额（万元）").fill("150")
    page.get_by_label("年化利率（%）").fill("3.85")
    page.get_by_label("期限（月）").fill("12")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_selector("text=高于企业申请的 50 万元")
    assert page.get_by_label("批准金额（万元）").input_value() == "150"  # kept as typed
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CLAIMED

    page.get_by_label("确认高于申请金额").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_selector("text=放款反馈")
    assert "150 万元" in page.locator("#approved-amount").inner_text()
    assert "批准 150 万元，年化 3.85%，12 个月" in page.content()
    assert "150 元" not in page.content()
    approved = Lead.objects.get(pk=lead.pk)
    assert approved.status == LeadStatus.APPROVED and approved.approved_amount == Decimal("1500000")
    assert errors == []
    context.close()

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    login_officer(phone, live_server, officer)
    small = phone.new_page()
    small.goto(live_server.url + f"/cms-admin/leads/{lead.pk}/")
    assert small.get_by_label("放款金额（万元）").input_value() == "150"  # the approval, in 万元
    assert no_sideways_scroll(small)
    phone.close()
