"""Marketplace search by what people type: product type, zone or tag, bank; paused products."""

from __future__ import annotations

import pytest

from cms.selectors import ProductFilters, product_search
from tests.factories.cms import product_create, zone_create


@pytest.fixture
def demo_like(portal, bank_a_page, bank_b_page):
    # Titles and summaries as in the demo: none of them says 信用贷, 知识产权 or 绿色.
    zone_create(portal, tag="绿色金融", slug="green", title="绿色金融专区")
    zone_create(portal, tag="科技创新", slug="tech", title="科技创新专区")
    return {
        "tax": product_create(
            bank_a_page, title="甲银行·税易贷", summary="凭纳税信用线上申请，最快当天放款", tags=["制造业"]
        ),
        "carbon": product_create(
            bank_a_page,
            title="甲银行·碳账户贷",
            summary="碳排放强度越低，利率越优惠",
            product_type="green",
            collateral="mortgage",
            tags=["绿色金融"],
        ),
        "ip": product_create(
            bank_b_page,
            title="乙银行·知产融",
            summary="专利、商标质押，专精特新企业优先",
            product_type="ip_pledge",
            collateral="pledge",
            tags=["科技创新"],
        ),
        "first": product_create(
            bank_b_page, title="乙银行·首贷通", summary="从未在银行贷过款的小微企业专属", product_type="first_loan"
        ),
        "renewal": product_create(
            bank_b_page,
            title="乙银行·无还本续贷",
            summary="到期前申请，无需先还本金再贷款",
            product_type="renewal",
            collateral="guarantee",
            tags=["乡村振兴"],
            is_open=False,
        ),
    }


def found(q: str, *, open_only: bool = False) -> set[str]:
    return {p.title for p in product_search(filters=ProductFilters(q=q, open_only=open_only))}


SEARCH_CASES = {
    "信用贷": {"甲银行·税易贷", "乙银行·首贷通"},  # the type's label, or no collateral
    "信用贷款": {"甲银行·税易贷", "乙银行·首贷通"},  # a longer word containing the label
    "知识产权": {"乙银行·知产融"},  # 知识产权质押
    "绿色": {"甲银行·碳账户贷"},  # type 绿色贷款 and tag 绿色金融
    "科技": {"乙银行·知产融"},  # the zone 科技创新专区 and its tag
    "首贷": {"乙银行·首贷通"},
    "制造业": {"甲银行·税易贷"},  # a tag
    "乙银行": {"乙银行·知产融", "乙银行·首贷通", "乙银行·无还本续贷"},  # the bank
    "乙银行股份": {"乙银行·知产融", "乙银行·首贷通", "乙银行·无还本续贷"},  # the bank's full name
    "甲银行 绿色": {"甲银行·碳账户贷"},  # every word must match
    "续贷": {"乙银行·无还本续贷"},
    "抵押": {"甲银行·碳账户贷"},  # secured by a mortgage (not 无需抵押担保)
    "质押": {"乙银行·知产融"},
    "担保": {"乙银行·无还本续贷"},
    "保险": set(),
}


def test_search_finds_products_by_type_zone_tag_and_bank(demo_like):
    mismatches = {q: found(q) for q, expected in SEARCH_CASES.items() if found(q) != expected}
    assert mismatches == {}


def test_search_for_credit_loan_on_the_marketplace_page(client, demo_like):
    html = client.get("/products/?q=信用贷").content.decode()
    assert "甲银行·税易贷" in html
    assert "甲银行·碳账户贷" not in html


def test_paused_products_are_hidden_unless_asked_for(client, demo_like):
    assert "乙银行·无还本续贷" not in client.get("/products/").content.decode()
    assert "乙银行·无还本续贷" not in client.get("/products/?q=乙银行").content.decode()
    assert "乙银行·知产融" in client.get("/products/?q=乙银行").content.decode()
    shown = client.get("/products/?q=乙银行&show_paused=on").content.decode()
    assert "乙银行·无还本续贷" in shown
    assert "显示已暂停" in shown


def test_the_api_still_lists_paused_products_by_default(demo_like):
    assert "乙银行·无还本续贷" in found("")
    assert "乙银行·无还本续贷" not in found("", open_only=True)
