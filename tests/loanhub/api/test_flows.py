"""End-to-end over HTTP: an SME posts and applies, a bank claims, decides and
disburses; consent revoked stops the bank's view; every bank read is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.consent.models import AccessLog, Authorization, Channel, Purpose
from loanhub.matching.lifecycle import lead_claim
from loanhub.matching.models import LeadStatus

pytestmark = pytest.mark.django_db
NEED = {"amount": "300000", "term_months": 12, "purpose": "采购原材料", "visibility": "all"}


def test_sme_posts_a_need_sees_matches_and_updates_it(world):
    client = world.client("sme_a")
    alone = client.post("/api/v1/needs/", {**NEED, "enterprise": world.ent_a.uscc})
    assert alone.status_code == 201 and alone.json()["leads"] == []  # posting applies to nothing by itself
    chosen = [world.product_a.pk, world.product_b.pk]
    response = client.post("/api/v1/needs/", {**NEED, "enterprise": world.ent_a.uscc, "products": chosen})
    assert response.status_code == 201, response.content
    need = response.json()
    assert {lead["product"]["title"] for lead in need["leads"]} == {"甲信用贷", "乙信用贷"}
    matches = client.get(f"/api/v1/needs/{need['id']}/matches/").json()
    assert {m["title"] for m in matches["eligible"]} == {"甲信用贷", "乙信用贷"}
    assert all(m["reasons"] for m in matches["eligible"])
    updated = client.patch(f"/api/v1/needs/{need['id']}/", {"amount": "400000"})
    assert updated.status_code == 200 and updated.json()["amount"] == "400000.00"
    withdrawn = client.post(f"/api/v1/needs/{need['id']}/withdraw/")
    assert withdrawn.json()["status"] == "withdrawn"
    assert {lead["status"] for lead in withdrawn.json()["leads"]} == {"withdrawn"}


def test_a_need_without_consent_is_a_409_naming_what_to_authorize(world):
    Authorization.objects.filter(enterprise=world.ent_a).update(status="revoked")
    response = world.client("sme_a").post("/api/v1/needs/", {**NEED, "enterprise": world.ent_a.uscc})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "consent_missing" and error["details"]["applied"] is True


def test_invalid_need_is_a_400_with_field_errors(world):
    response = world.client("sme_a").post(
        "/api/v1/needs/", {"enterprise": world.ent_a.uscc, "amount": "5", "term_months": 0}
    )
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert {"amount", "term_months", "purpose"} <= set(details)


def test_direct_application_and_its_timeline(world):
    client = world.client("sme_b")
    body = {
        "enterprise": world.ent_b.uscc,
        "product": world.product_b.pk,
        "amount": "200000",
        "term_months": 12,
        "purpose": "周转",
    }
    response = client.post("/api/v1/applications/", body)
    assert response.status_code == 201, response.content
    lead = response.json()
    assert lead["product"]["id"] == world.product_b.pk and lead["events"][0]["kind"] == "created"
    too_big = {**body, "product": world.product_a.pk, "amount": "90000000"}
    refused = client.post("/api/v1/applications/", too_big)
    assert refused.status_code in (409, 422)
    assert refused.json()["error"]["code"] in ("not_eligible", "consent_missing")


def test_bank_claims_approves_and_disburses_and_the_sme_sees_it(world):
    officer, other = world.client("officer_a"), world.client("manager_a")
    lead = world.lead_a.pk
    assert officer.post(f"/api/v1/leads/{lead}/claim/").json()["status"] == "claimed"
    second = other.post(f"/api/v1/leads/{lead}/claim/")
    assert second.status_code == 409 and second.json()["error"]["code"] == "lead_already_claimed"
    bad = officer.post(f"/api/v1/leads/{lead}/decision/", {"decision": "approve", "amount": "400000"})
    assert bad.status_code == 400 and {"rate", "term_months"} <= set(bad.json()["error"]["details"])
    approved = officer.post(
        f"/api/v1/leads/{lead}/decision/",
        {"decision": "approve", "amount": "400000", "rate": "3.90", "term_months": 12},
    )
    assert approved.json()["status"] == "approved"
    late = officer.post(
        f"/api/v1/leads/{lead}/disbursement/",
        {"amount": "400000", "date": (timezone.localdate() + timedelta(days=3)).isoformat()},
    )
    assert late.status_code == 400 and "disbursed_on" in late.json()["error"]["details"]
    paid = officer.post(
        f"/api/v1/leads/{lead}/disbursement/", {"amount": "400000", "date": timezone.localdate().isoformat()}
    )
    assert paid.json()["status"] == LeadStatus.DISBURSED
    timeline = world.client("sme_a").get("/api/v1/applications/").json()["results"][0]["events"]
    assert [e["kind"] for e in timeline] == ["created", "claimed", "approved", "disbursed"]
    assert "actor" not in timeline[1]  # the SME sees what happened, not the officer's account


def test_decline_with_reasons_and_referral(world):
    officer = world.client("officer_a")
    officer.post(f"/api/v1/leads/{world.lead_a.pk}/claim/")
    assert officer.post(f"/api/v1/leads/{world.lead_a.pk}/decision/", {"decision": "decline"}).status_code == 400
    response = officer.post(
        f"/api/v1/leads/{world.lead_a.pk}/decision/",
        {"decision": "decline", "reasons": ["credit", "collateral"], "note": "补充担保", "refer": True},
    )
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["decline_reasons"]] == ["credit", "collateral"]
    sme_view = world.client("sme_a").get(f"/api/v1/needs/{world.need_a.pk}/").json()
    assert sme_view["leads"][0]["decline_reasons"][0]["text"]


def test_lead_list_filters_and_orders(world):
    officer = world.client("officer_a")
    assert officer.get("/api/v1/leads/?status=new").json()["count"] == 1
    assert officer.get("/api/v1/leads/?status=claimed").json()["count"] == 0
    assert officer.get("/api/v1/leads/?amount_min=600000").json()["count"] == 0
    assert (
        officer.get(f"/api/v1/leads/?product={world.product_a.pk}&ordering=deadline&overdue=false").json()["count"] == 1
    )
    bad = officer.get("/api/v1/leads/?status=nonsense&grade=Z")
    assert bad.status_code == 400 and {"status", "grade"} <= set(bad.json()["error"]["details"])


def test_lead_detail_reads_credit_data_through_consent_and_logs_channel_api(world):
    officer = world.client("officer_a")
    # Records: an underwriting authorization, on a lead the bank works.
    Authorization.objects.filter(pk=world.consent_a.pk).update(purpose=Purpose.UNDERWRITING)
    lead_claim(lead=world.lead_a, officer=world.users["officer_a"])
    detail = officer.get(f"/api/v1/leads/{world.lead_a.pk}/").json()
    assert detail["credit_profile"]["record_count"] == 1
    log = AccessLog.objects.get(enterprise=world.ent_a)
    assert (log.channel, log.user, log.institution) == (Channel.API, world.users["officer_a"], world.lead_a.institution)
    entries = world.client("sme_a").get("/api/v1/access-log/").json()["results"]
    assert [(e["channel"], e["institution"]["short_name"]) for e in entries] == [("api", "甲银行")]
    # The SME revokes: the bank's next read shows no credit data, and is not logged.
    revoked = world.client("sme_a").post(f"/api/v1/consents/{world.consent_a.pk}/revoke/")
    assert revoked.json()["status"] == "revoked"
    after = officer.get(f"/api/v1/leads/{world.lead_a.pk}/").json()
    assert after["credit_profile"] is None and after["scoped_score"] is None
    assert after["grade"] is None and after["judgement"]["reason"] == "revoked"
    assert "存续" not in str(after)
    assert AccessLog.objects.filter(enterprise=world.ent_a).count() == 1


def test_own_profile_is_not_logged(world):
    body = world.client("sme_a").get("/api/v1/enterprises/me/").json()
    assert body[0]["credit_profile"]["scope"]["is_own"] is True
    assert body[0]["credit_profile"]["record_count"] == 1
    assert not AccessLog.objects.filter(enterprise=world.ent_a).exists()


def test_consent_needs_the_password_and_an_owner(world):
    client = world.client("sme_a")
    body = {
        "enterprise": world.ent_a.uscc, "password": "wrong-password", "grantee_type": "institution",
        "institution": world.lead_b.institution_id, "purpose": "underwriting",
        "categories": ["registration", "tax_rating"],
        "data_from": "2024-01-01", "expires_at": (timezone.now() + timedelta(days=90)).isoformat(),
    }  # fmt: skip
    refused = client.post("/api/v1/consents/", body)
    assert refused.status_code == 400 and "password" in refused.json()["error"]["details"]
    from tests.factories.accounts import TEST_PASSWORD

    created = client.post("/api/v1/consents/", {**body, "password": TEST_PASSWORD})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "active" and "乙银行" in created.json()["text"]


def test_objection_through_the_api(world):
    from loanhub.credit_data.models import CreditRecord
    from tests.factories.credit import import_rows

    import_rows(
        "penalty",
        [
            {
                "uscc": world.ent_a.uscc,
                "record_date": "2025-05-01",
                "issuer": "市场监督管理局",
                "severity": "一般",
                "fine_amount": 5000,
            }
        ],
    )
    record = CreditRecord.objects.get(uscc=world.ent_a.uscc, category="penalty")
    client = world.client("sme_a")
    response = client.post(
        "/api/v1/disputes/", {"enterprise": world.ent_a.uscc, "record": record.pk, "reason": "已整改"}
    )
    assert response.status_code == 201
    again = client.post("/api/v1/disputes/", {"enterprise": world.ent_a.uscc, "record": record.pk, "reason": "再次"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid"


def test_products_are_public_filterable_and_paginated(world):
    from rest_framework.test import APIClient

    client = APIClient()
    everything = client.get("/api/v1/products/").json()
    assert everything["count"] == 2 and everything["results"][0]["institution"]["slug"]
    assert [p["title"] for p in client.get("/api/v1/products/?ordering=rate").json()["results"]] == [
        "乙信用贷",
        "甲信用贷",
    ]
    assert client.get("/api/v1/products/?bank=bank-a").json()["count"] == 1
    assert client.get("/api/v1/products/?amount=50000").json()["count"] == 0  # below both minimums
    assert client.get("/api/v1/products/?rate=3.3&term=12").json()["count"] == 1
    page = client.get("/api/v1/products/?page_size=1&page=2").json()
    assert len(page["results"]) == 1 and page["previous"]
    assert client.get("/api/v1/products/?page=9").status_code == 404
    assert client.get("/api/v1/products/?type=nope").json()["error"]["details"]["type"]


def test_stats_for_administrators(world):
    body = world.client("admin").get("/api/v1/stats/?dimension=bank").json()
    assert body["headline"]["leads"] == 2
    assert {row["key"] for row in body["breakdown"]} == {"甲银行", "乙银行"}
    assert world.client("admin").get("/api/v1/stats/?dimension=x").status_code == 400


def test_search_words_that_full_text_syntax_refuses_still_answer(world):
    from rest_framework.test import APIClient

    response = APIClient().get('/api/v1/products/?q=信用"贷')  # found by the schema fuzzer
    assert response.status_code == 200
