"""The bank officer's day in a real browser (issue 13), at desktop and phone widths: the role
home page, the workbench with its ranking value, claiming a lead, writing to the SME, the
approval and the disbursement; the SME gets the message on its need page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_lead_flow import login_officer
from tests.e2e.test_portal_pages import no_sideways_scroll

pytestmark = pytest.mark.e2e


@pytest.fixture
def leads(demo_portal):
    """Two new leads at 粤信银行 (one per width), each under an underwriting authorization."""
    from cms.models import InstitutionPage
    from loanhub.consent.models import Purpose
    from loanhub.matching.matcher import products_changed
    from loanhub.matching.needs import need_post
    from tests.factories.accounts import UserFactory
    from tests.factories.cms import product_create
    from tests.factories.credit import authorize
    from tests.factories.enterprises import MembershipFactory

    bank = demo_portal.banks["yuexin-bank"]
    page = InstitutionPage.objects.get(institution=bank)
    made = []
    for i in range(2):
        product = product_create(
            page, title=f"粤信银行·旅程贷{i}", min_grade="", max_pd=None, amount_min=Decimal("100000"),
            amount_max=Decimal("2000000"), required_categories=["registration"], eligible_regions=[],
        )  # fmt: skip
        products_changed()
        membership = MembershipFactory(user=UserFactory(username=f"journey_sme{i}"))
        enterprise = membership.enterprise
        enterprise.contact_name, enterprise.contact_phone = "王出纳", "020-12345678"
        enterprise.save()
        authorize(enterprise, institution=bank, purpose=Purpose.UNDERWRITING, categories=["registration"])
        need = need_post(
            user=membership.user, enterprise=enterprise, amount=500_000, term_months=12, purpose="采购原材料",
            visibility="chosen", banks=[bank], product_ids=[product.pk],
        )  # fmt: skip
        made.append(need.leads.get(product=product))
    return {"leads": made, "officer": demo_portal.users["demo_bank"]}


def _amount(page, label: str, wan: int) -> None:
    """Fill an amount field in the unit its label names (万元, or 元 before the money-units work)."""
    field = page.get_by_label(re.compile(label))
    text = page.locator(f"label[for='{field.get_attribute('id')}']").inner_text()
    field.fill(str(wan) if "万元" in text else str(wan * 10000))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_officer_claims_writes_approves_and_disburses(live_server, leads, browser, viewport):
    from loanhub.accounts.models import Notification

    lead = leads["leads"][0 if viewport is DESKTOP else 1]
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    login_officer(context, live_server, leads["officer"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)

    # The officer's home page: the day's counts, each a link to its list.
    page.goto(live_server.url + "/cms-admin/")
    assert "我的工作台" in page.content() and "localhost" not in page.content()
    assert no_sideways_scroll(page)
    page.get_by_role("link", name=re.compile("新线索（待受理）")).click()
    page.wait_for_url("**/cms-admin/leads/?status=new**")

    # The workbench: the ranking value it sorts by, explained.
    assert "排序分 ▼" in page.content()
    row = page.locator("tr", has=page.get_by_role("link", name=lead.enterprise.name))
    row.locator(".rank-why summary").click()
    assert "匹配度" in row.locator(".rank-why__body").inner_text()
    assert no_sideways_scroll(page)
    row.get_by_role("link", name=lead.enterprise.name).click()
    page.wait_for_url(f"**/cms-admin/leads/{lead.pk}/")

    # Claim: the contact appears, and a message goes to the SME.
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_selector("text=王出纳")
    page.get_by_label("给企业留言").fill("您好，请补充近6个月的银行流水。")
    page.get_by_role("button", name="发送留言").click()
    page.wait_for_selector(".lead-msg-body:has-text('请补充近6个月的银行流水')")
    assert no_sideways_scroll(page)

    # Approve, then record the disbursement.
    _amount(page, "批准金额", 40)
    page.get_by_label("年化利率（%）").fill("3.85")
    page.get_by_label("期限（月）").fill("12")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_selector("text=放款反馈")
    _amount(page, "放款金额", 40)
    page.get_by_role("button", name="记录放款").click()
    page.wait_for_load_state()
    assert "放款信息已记录" in page.content(), page.locator(".messages").all_inner_texts()
    timeline = page.locator("table.listing").last.inner_text()
    for step in ("推送给金融机构", "受理", "批准", "放款"):
        assert step in timeline
    assert not re.search(r"\b(created|claimed|approved|disbursed|posted)\b", timeline)
    context.close()
    assert errors == []

    owner = lead.enterprise.memberships.first().user
    note = Notification.objects.get(user=owner, title__contains="留言")
    assert "银行流水" in note.body
