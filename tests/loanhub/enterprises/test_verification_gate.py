"""Until an enterprise is verified it sees no records or score, cannot sign, post or
apply (portal and API), and no bank sees it (issue 12 §2)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from loanhub.consent.models import Authorization, GranteeType, Purpose
from loanhub.consent.selectors import viewer_scope
from loanhub.consent.services import authorization_grant
from loanhub.credit_data.models import CreditRecord
from loanhub.enterprises.exceptions import EnterpriseNotVerified
from loanhub.enterprises.models import Enterprise, VerificationStatus
from loanhub.matching.matcher import products_changed
from loanhub.matching.models import FinancingNeed, Lead
from loanhub.matching.needs import apply_direct, leads_create, need_post
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.cms import product_create
from tests.factories.credit import authorize, import_rows

pytestmark = pytest.mark.django_db

MARKER = "登记机关甲乙丙"


def _records(uscc: str) -> None:
    import_rows("registration", [{
        "uscc": uscc, "record_date": "2024-03-01", "event": "establishment", "status": "存续",
        "registered_capital": 1000000, "paid_in_capital": 500000,
    }])  # fmt: skip
    import_rows("penalty", [{
        "uscc": uscc, "record_date": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "issuer": MARKER, "severity": "一般", "fine_amount": 5000,
    }])  # fmt: skip


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# ------------------------------------------------------------------ own view


def test_unverified_owner_sees_no_records_and_no_score_but_a_link_to_verify(client, pending_owner):
    user, enterprise = pending_owner
    _records(enterprise.uscc)
    client.force_login(user)
    page = client.get(reverse("credit_data:profile", args=[enterprise.uscc]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "待认证" in html
    assert reverse("enterprises:verification", args=[enterprise.uscc]) in html
    assert MARKER not in html
    assert 'class="gauge' not in html


def test_verified_owner_sees_the_records(client, sme_owner):
    user, enterprise = sme_owner
    _records(enterprise.uscc)
    client.force_login(user)
    html = client.get(reverse("credit_data:profile", args=[enterprise.uscc])).content.decode()
    assert MARKER in html


def test_viewer_scope_is_empty_for_members_of_an_unverified_enterprise(pending_owner):
    user, enterprise = pending_owner
    assert viewer_scope(user=user, enterprise=enterprise) is None
    enterprise.verification_status = VerificationStatus.VERIFIED
    assert viewer_scope(user=user, enterprise=enterprise) is not None


def test_dashboard_shows_pending_with_a_link_to_verify(client, pending_owner):
    user, enterprise = pending_owner
    client.force_login(user)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "待认证" in html
    assert reverse("enterprises:verification", args=[enterprise.uscc]) in html


@pytest.mark.parametrize(
    "url_name", ["matching:need_index", "matching:need_new", "consent:index", "consent:new", "disputes:index"]
)
def test_private_pages_stay_closed_until_verified(client, pending_owner, url_name):
    user, enterprise = pending_owner
    client.force_login(user)
    response = client.get(reverse(url_name, args=[enterprise.uscc]))
    assert response.status_code == 403
    assert "尚未完成认证" in response.content.decode()


def test_an_unverified_member_cannot_read_a_record_through_the_objection_form(client, pending_owner):
    user, enterprise = pending_owner
    _records(enterprise.uscc)
    record = CreditRecord.objects.get(uscc=enterprise.uscc, category="penalty")
    client.force_login(user)
    response = client.get(reverse("disputes:objection_new", args=[enterprise.uscc, record.pk]))
    assert response.status_code == 403
    assert MARKER not in response.content.decode()


def test_api_enterprises_me_gives_no_profile_or_score_while_pending(pending_owner):
    user, enterprise = pending_owner
    _records(enterprise.uscc)
    response = _api(user).get("/api/v1/enterprises/me/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["verification_status"] == "pending"
    assert row["credit_profile"] is None
    assert row["score"] is None
    assert MARKER not in response.content.decode()


# --------------------------------------------------------------------- sign


def _terms() -> dict:
    return {
        "grantee_type": GranteeType.PLATFORM, "purpose": Purpose.MATCHING, "categories": ["registration"],
        "data_from": timezone.localdate() - timedelta(days=365),
        "expires_at": timezone.now() + timedelta(days=90),
    }  # fmt: skip


def test_an_unverified_enterprise_cannot_sign_an_authorization(pending_owner):
    user, enterprise = pending_owner
    with pytest.raises(EnterpriseNotVerified):
        authorization_grant(enterprise=enterprise, user=user, password=TEST_PASSWORD, **_terms())
    assert not Authorization.objects.exists()


def test_api_refuses_to_sign_for_an_unverified_enterprise(pending_owner):
    user, enterprise = pending_owner
    body = {**_terms(), "enterprise": enterprise.uscc, "password": TEST_PASSWORD}
    body["data_from"], body["expires_at"] = body["data_from"].isoformat(), body["expires_at"].isoformat()
    response = _api(user).post("/api/v1/consents/", body, format="json")
    assert response.status_code == 400
    assert "尚未完成认证" in response.json()["error"]["message"]
    assert not Authorization.objects.exists()


# ---------------------------------------------------------------- post / apply


def test_an_unverified_enterprise_cannot_post_a_need(pending_owner):
    user, enterprise = pending_owner
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    with pytest.raises(ValidationError) as caught:
        need_post(user=user, enterprise=enterprise, amount=500_000, term_months=12, purpose="周转")
    assert "尚未完成认证" in " ".join(caught.value.messages)
    assert not FinancingNeed.objects.exists()


def test_api_refuses_a_need_and_an_application_from_an_unverified_enterprise(pending_owner, bank_a_page):
    user, enterprise = pending_owner
    product = product_create(bank_a_page, title="甲信用贷", rate_min=Decimal("3.50"))
    products_changed()
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    api = _api(user)
    need = api.post(
        "/api/v1/needs/",
        {"enterprise": enterprise.uscc, "amount": "500000", "term_months": 12, "purpose": "周转"},
        format="json",
    )
    application = api.post(
        "/api/v1/applications/",
        {
            "enterprise": enterprise.uscc,
            "product": product.pk,
            "amount": "500000",
            "term_months": 12,
            "purpose": "周转",
        },
        format="json",
    )
    assert (need.status_code, application.status_code) == (400, 400)
    assert "尚未完成认证" in need.json()["error"]["message"]
    assert "尚未完成认证" in application.json()["error"]["message"]
    assert not FinancingNeed.objects.exists() and not Lead.objects.exists()


def test_portal_direct_apply_is_refused_with_the_reason(client, pending_owner, bank_a_page):
    user, enterprise = pending_owner
    product = product_create(bank_a_page, title="甲信用贷", rate_min=Decimal("3.50"))
    products_changed()
    client.force_login(user)
    response = client.post(
        reverse("matching:product_apply", args=[product.pk]),
        {"enterprise": enterprise.uscc, "amount_wan": "50", "term_months": "12", "purpose": "周转"},
    )
    assert response.status_code == 200
    assert "尚未完成认证" in response.content.decode()
    assert not Lead.objects.exists()
    with pytest.raises(ValidationError):
        apply_direct(
            user=user, enterprise=enterprise, product_id=product.pk, amount=500_000, term_months=12, purpose="周转"
        )


def test_matching_creates_no_lead_for_an_unverified_enterprise(pending_owner, bank_a_page):
    from loanhub.matching import matcher

    user, enterprise = pending_owner
    product = product_create(bank_a_page, title="甲信用贷", rate_min=Decimal("3.50"))
    products_changed()
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    need = FinancingNeed.objects.create(
        enterprise=enterprise, created_by=user, amount=500_000, term_months=12, purpose="周转"
    )
    result = matcher.match_need(need)
    assert leads_create(need, result.eligible, result.facts) == []
    assert not Lead.objects.filter(product=product).exists()


# ------------------------------------------------------------------- banks


def test_no_bank_sees_an_unverified_enterprise_even_with_an_authorization(client, pending_owner, officer_a):
    _user, enterprise = pending_owner
    _records(enterprise.uscc)
    bank = officer_a.institution_membership.institution
    authorize(enterprise, institution=bank, categories=["registration", "penalty"], purpose=Purpose.UNDERWRITING)
    assert viewer_scope(user=officer_a, enterprise=enterprise) is None
    client.force_login(officer_a)
    response = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc]))
    assert response.status_code == 404
    assert MARKER not in response.content.decode()
    # The same authorization lets the bank see a verified enterprise.
    Enterprise.objects.filter(pk=enterprise.pk).update(verification_status=VerificationStatus.VERIFIED)
    enterprise.refresh_from_db()
    assert viewer_scope(user=officer_a, enterprise=enterprise) is not None


def test_registration_starts_pending_and_leads_to_the_verification_page(client):
    from tests.loanhub.accounts.test_registration import form_data

    response = client.post(reverse("accounts:register"), form_data())
    enterprise = Enterprise.objects.get()
    assert enterprise.verification_status == VerificationStatus.PENDING
    assert not enterprise.is_verified
    assert response["Location"] == reverse("enterprises:verification", args=[enterprise.uscc])
