"""The workbench's lead filters: a bad value in the query string is dropped with a
notice and the officer still gets the list — never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db

NOTICE = "已忽略无效的筛选条件"

BAD_FILTERS = {  # query → the label the notice names
    "product=x": "产品",
    "product=99999999999999999999": "产品",
    "product=" + "9" * 5000: "产品",
    "product=-3": "产品",
    "amount_min=1e400": "金额下限（万元）",
    "amount_min=nan": "金额下限（万元）",
    "amount_min=-inf": "金额下限（万元）",
    "amount_max=inf": "金额上限（万元）",
    "amount_max=NaN": "金额上限（万元）",
    "amount_max=1e-400x": "金额上限（万元）",
    "status=zzz": "状态",
    "grade=Z": "等级",
    "sort=-bank_score": "排序",
    "region=44%27--": "地区",
    "q=%00": "企业名称",
    "q=" + "名" * 101: "企业名称",
}
BAD_PAGES = ["page=x", "page=0", "page=-1", "page=99999999999999999999", "page=1e400", "page=nan"]


@pytest.fixture
def officer_web(client, bank_a_page, officer_a):
    lead = lead_for(product_create(bank_a_page))  # a new lead of 50万元
    client.force_login(officer_a)
    return client, lead


def test_each_bad_filter_is_dropped_with_a_notice_and_the_list_still_shows(officer_web):
    client, lead = officer_web
    for query, label in BAD_FILTERS.items():
        response = client.get(f"{reverse('leads_admin:index')}?{query}")
        assert response.status_code == 200, query
        body = response.content.decode()
        assert NOTICE in body and label in body.split(NOTICE, 1)[1][:200], query
        assert lead.enterprise.name in body, query  # the worklist, without the bad filter


def test_a_bad_page_number_gives_a_page_of_the_list(officer_web):
    client, lead = officer_web
    for query in BAD_PAGES:
        response = client.get(f"{reverse('leads_admin:index')}?{query}")
        assert response.status_code == 200, query
        assert lead.enterprise.name in response.content.decode(), query


def test_good_filters_still_filter_and_give_no_notice(officer_web):
    client, lead = officer_web
    index = reverse("leads_admin:index")
    kept = client.get(f"{index}?amount_min=49.5&amount_max=50&grade=&status=new&product={lead.product_id}&sort=amount")
    assert lead.enterprise.name in kept.content.decode()
    assert NOTICE not in kept.content.decode()
    for query in (
        "amount_min=50.01",
        "amount_max=49.99",
        "status=claimed",
        f"product={lead.product_id + 1}",
        "region=11",
    ):
        assert lead.enterprise.name not in client.get(f"{index}?{query}").content.decode(), query


def test_a_bad_status_falls_back_to_the_worklist(officer_web):
    client, lead = officer_web
    client.post(reverse("leads_admin:action", args=[lead.pk, "claim"]))
    lead.refresh_from_db()
    lead.status = "declined"
    lead.save(update_fields=["status"])
    index = reverse("leads_admin:index")
    assert lead.enterprise.name in client.get(f"{index}?status=").content.decode()  # every status
    assert lead.enterprise.name not in client.get(f"{index}?status=zzz").content.decode()  # open ones only


def test_export_drops_bad_filters_without_leaving_a_notice_behind(officer_web):
    client, lead = officer_web
    for query in ("amount_min=nan&product=x", "format=xlsx&amount_max=1e400"):
        response = client.get(f"{reverse('leads_admin:export')}?{query}")
        assert response.status_code == 200, query
    csv = client.get(f"{reverse('leads_admin:export')}?product=x").content.decode("utf-8-sig")
    assert lead.enterprise.uscc in csv
    assert NOTICE not in client.get(reverse("leads_admin:index")).content.decode()
