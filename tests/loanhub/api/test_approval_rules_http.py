"""The approval rules over real HTTP (live_server, urllib): an amount outside the product's
range, above the need or a disbursement above the approval is a 400 naming the field."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories.http import api_call as call

pytestmark = pytest.mark.django_db(transaction=True)


def test_approval_and_disbursement_rules_are_400s_with_field_errors(live_server, world):
    base, token, lead = live_server.url, world.tokens["officer_a"], world.lead_a.pk  # need 50万, product 10–100万
    assert call(base, token, f"/api/v1/leads/{lead}/claim/", {})[0] == 200
    decision = f"/api/v1/leads/{lead}/decision/"
    figures = {"decision": "approve", "rate": "3.90", "term_months": 12}

    status, body = call(base, token, decision, {**figures, "amount": "150"})
    assert status == 400 and body["error"]["code"] == "invalid"
    assert body["error"]["details"]["amount"] == ["批准金额 0.015 万元不在本产品的额度范围内（10–100 万元）。"]

    status, body = call(base, token, decision, {**figures, "amount": "400000", "rate": "9.00", "term_months": 60})
    assert status == 400 and {"rate", "term_months"} == set(body["error"]["details"])

    status, body = call(base, token, decision, {**figures, "amount": "800000"})
    assert status == 400 and list(body["error"]["details"]) == ["confirm_above_need"]
    assert "高于企业申请的 50 万元" in body["error"]["details"]["confirm_above_need"][0]

    status, body = call(base, token, decision, {**figures, "amount": "800000", "confirm_above_need": True})
    assert status == 200 and body["status"] == "approved" and body["approved_amount"] == "800000.00"

    paid = {"amount": "800000.01", "date": timezone.localdate().isoformat()}
    status, body = call(base, token, f"/api/v1/leads/{lead}/disbursement/", paid)
    assert status == 400 and "超过批准金额 80 万元" in body["error"]["details"]["amount"][0]
    status, body = call(base, token, f"/api/v1/leads/{lead}/disbursement/", {**paid, "amount": "800000"})
    assert status == 200 and body["status"] == "disbursed"


def test_the_schema_says_amounts_are_yuan(live_server, world):
    status, schema = call(live_server.url, world.tokens["officer_a"], "/api/schema/?format=json")
    assert status == 200
    fields = schema["components"]["schemas"]
    decision = next(v for k, v in fields.items() if "properties" in v and "confirm_above_need" in v["properties"])
    assert "yuan (元), not 万元" in decision["properties"]["amount"]["description"]
    assert "confirm_above_need" in decision["properties"]


def test_the_product_schema_says_amounts_are_yuan_and_pd_a_fraction(live_server, world):
    status, schema = call(live_server.url, world.tokens["officer_a"], "/api/schema/?format=json")
    product = next(
        v
        for v in schema["components"]["schemas"].values()
        if "max_pd" in v.get("properties", {}) and "url" in v["properties"]
    )
    assert "Yuan (元), not 万元" in product["properties"]["amount_min"]["description"]
    assert "fraction (0.05 = 5%)" in product["properties"]["max_pd"]["description"]
