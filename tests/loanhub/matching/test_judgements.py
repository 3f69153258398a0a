"""A bank sees an SME's judgement (grade, score, PD, likelihood, ranking value) only as
computed from what a live authorization to it covers, only while it is live, only for
purposes that allow it — and every such read is in the SME's access log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from loanhub.api.models import ApiToken
from loanhub.api.tokens import token_hash
from loanhub.api.webhooks import lead_payload
from loanhub.consent.models import AccessLog, Authorization, GranteeType, Purpose
from loanhub.consent.selectors import access_days_detail, access_log_days
from loanhub.consent.services import authorization_revoke
from loanhub.matching.judgements import judgements_expire
from loanhub.matching.lifecycle import lead_claim
from loanhub.matching.matcher import products_changed
from loanhub.matching.models import Lead
from loanhub.matching.needs import need_post
from loanhub.scoring.models import ScoreRecord
from loanhub.scoring.services import score_enterprise
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize, standard_records
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db

JUDGED = ("grade", "score", "pd", "likelihood", "bank_score", "expected_value")
TWO = ["tax_rating", "social_insurance"]


@pytest.fixture
def lead(bank_a_page, active_model):
    """An SME with records in five categories; bank A authorized for two of them."""
    product = product_create(bank_a_page, required_categories=[])
    products_changed()
    membership = MembershipFactory(user=UserFactory())
    enterprise = membership.enterprise
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a_page.institution, categories=TWO)
    need = need_post(
        user=membership.user, enterprise=enterprise, amount=500_000, term_months=12, purpose="周转",
        visibility="chosen", banks=[bank_a_page.institution], product_ids=[product.pk],
    )  # fmt: skip
    return need.leads.get(product=product)


def api(user) -> APIClient:
    key = f"lh_test_{user.username}_{ApiToken.objects.count()}"
    from loanhub.institutions.selectors import institution_for_user

    ApiToken.objects.create(
        user=user, institution=institution_for_user(user=user), prefix=key[:10], key_hash=token_hash(key)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_lead_carries_the_scoped_score_not_the_platform_score(lead):
    full = score_enterprise(lead.enterprise)
    scoped = ScoreRecord.objects.filter(enterprise=lead.enterprise, scope=f"institution:{lead.institution_id}").latest(
        "created_at"
    )
    assert scoped.categories == sorted(TWO)
    assert "tax_paid_12m" not in {k for k, v in scoped.features.items() if v not in (None, 0)}
    assert (lead.score, lead.grade, lead.pd) == (scoped.score, scoped.grade, scoped.pd)
    assert lead.judgement_categories == TWO  # catalogue order
    # The full score used the penalty, the licence and the tax amounts the bank may not see.
    assert full.inputs_hash != scoped.inputs_hash


def test_api_shows_the_judgement_under_a_live_authorization_and_logs_each_read(lead, officer_a):
    client = api(officer_a)
    row = client.get("/api/v1/leads/").json()["results"][0]
    assert row["grade"] == lead.grade and row["score"] == lead.score and row["bank_score"] is not None
    assert row["judgement"] == {"visible": True, "reason": "", "reason_text": "", "categories": TWO}
    log = AccessLog.objects.get(enterprise=lead.enterprise)
    assert (log.user, log.channel, log.categories) == (officer_a, "api", TWO)
    assert log.detail == f"线索列表（接口）：线索 #{lead.pk}"
    detail = client.get(f"/api/v1/leads/{lead.pk}/").json()
    assert detail["score"] == lead.score
    assert AccessLog.objects.filter(enterprise=lead.enterprise).count() == 2


def _hidden_everywhere(lead, officer, client) -> None:
    row = client.get("/api/v1/leads/").json()["results"][0]
    assert all(row[name] is None for name in JUDGED), row
    detail = client.get(f"/api/v1/leads/{lead.pk}/").json()
    assert all(detail[name] is None for name in JUDGED)
    assert detail["credit_profile"] is None and detail["scoped_score"] is None
    web = APIClient()
    web.force_login(officer)
    page = web.get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    listing = web.get(reverse("leads_admin:index")).content.decode()
    exported = web.get(reverse("leads_admin:export")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert lead.grade and f">{lead.grade}<" not in page
    for text in (page, listing):
        assert "信用分（300–900）" not in text
    assert rows[1][6] in {"授权已撤回", "授权已过期"}
    payload = lead_payload(lead, "lead.updated", "x")
    assert not {"grade", "score", "pd"} & set(payload["data"]["lead"])
    return row["judgement"]


def test_revoking_hides_the_judgement_everywhere_and_clears_it(lead, officer_a):
    client = api(officer_a)
    consent = Authorization.objects.get(enterprise=lead.enterprise)
    grade = lead.grade
    authorization_revoke(authorization=consent, user=lead.enterprise.memberships.first().user)
    # Reads check the authorization themselves, whatever the stored fields say.
    lead.grade = grade
    judgement = _hidden_everywhere(lead, officer_a, client)
    assert judgement["reason"] == "revoked" and judgement["reason_text"] == "授权已撤回"
    assert not AccessLog.objects.filter(
        enterprise=lead.enterprise, purpose__in=Purpose.values, detail__contains="线索列表"
    ).exists()


def test_revocation_clears_the_stored_judgement_once_committed(lead, django_capture_on_commit_callbacks):
    consent = Authorization.objects.get(enterprise=lead.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        authorization_revoke(authorization=consent, user=lead.enterprise.memberships.first().user)
    lead.refresh_from_db()
    assert (lead.grade, lead.score, lead.pd, lead.likelihood, lead.expected_value) == ("", None, None, 0, 0)
    assert lead.judgement_basis == "" and lead.judgement_categories == []


def test_expiry_hides_the_judgement_at_once_and_the_clock_clears_it(lead, officer_a):
    Authorization.objects.filter(enterprise=lead.enterprise).update(
        valid_from=timezone.now() - timedelta(days=200), expires_at=timezone.now() - timedelta(seconds=1)
    )
    judgement = _hidden_everywhere(lead, officer_a, api(officer_a))
    assert judgement["reason"] == "expired"
    assert judgements_expire() == 1
    lead.refresh_from_db()
    assert lead.grade == "" and lead.score is None and lead.judgement_basis == ""


def test_grade_filter_finds_no_lead_whose_judgement_is_hidden(lead, officer_a):
    client = api(officer_a)
    assert client.get(f"/api/v1/leads/?grade={lead.grade}").json()["count"] == 1
    Authorization.objects.filter(enterprise=lead.enterprise).update(
        valid_from=timezone.now() - timedelta(days=200), expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(f"/api/v1/leads/?grade={lead.grade}").json()["count"] == 0


def test_a_new_authorization_is_not_shown_until_the_judgement_is_recomputed(lead, officer_a):
    authorize(lead.enterprise, institution=lead.institution, categories=["penalty"])
    row = api(officer_a).get("/api/v1/leads/").json()["results"][0]
    assert row["grade"] is None and row["judgement"]["reason"] == "refreshing"


def test_monitoring_alone_shows_nothing_before_a_loan(bank_a_page, active_model, officer_a):
    product = product_create(bank_a_page)
    products_changed()
    membership = MembershipFactory(user=UserFactory())
    authorize(membership.enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    need = need_post(
        user=membership.user, enterprise=membership.enterprise, amount=500_000, term_months=12, purpose="周转",
        visibility="chosen", banks=[bank_a_page.institution], product_ids=[product.pk],
    )  # fmt: skip
    Authorization.objects.filter(enterprise=membership.enterprise).update(purpose=Purpose.MONITORING)
    lead = need.leads.get(product=product)
    row = api(officer_a).get("/api/v1/leads/").json()["results"][0]
    assert row["grade"] is None and row["judgement"]["reason"] == "purpose"
    assert Lead.objects.get(pk=lead.pk).pk == row["id"]


def test_matching_purpose_never_shows_records_and_underwriting_shows_them_once_claimed(lead, officer_a):
    client = api(officer_a)
    assert client.get(f"/api/v1/leads/{lead.pk}/").json()["credit_profile"] is None  # matching, new lead
    Authorization.objects.filter(enterprise=lead.enterprise).update(purpose=Purpose.UNDERWRITING)
    assert client.get(f"/api/v1/leads/{lead.pk}/").json()["credit_profile"] is None  # not worked yet
    lead_claim(lead=lead, officer=officer_a)
    profile = client.get(f"/api/v1/leads/{lead.pk}/").json()["credit_profile"]
    assert profile is not None and {s["code"] for s in profile["sections"]} == set(TWO)
    Authorization.objects.filter(enterprise=lead.enterprise).update(purpose=Purpose.MATCHING)
    assert client.get(f"/api/v1/leads/{lead.pk}/").json()["credit_profile"] is None


def test_the_sme_sees_reads_grouped_by_viewer_channel_and_day(lead, officer_a, client):
    bank = api(officer_a)
    for _ in range(3):
        bank.get("/api/v1/leads/")
    bank.get(f"/api/v1/leads/{lead.pk}/")
    web = APIClient()
    web.force_login(officer_a)
    web.get(reverse("leads_admin:index"))
    groups = list(access_log_days(enterprise=lead.enterprise))
    assert sorted((g["channel"], g["count"]) for g in groups) == [("api", 4), ("back_office", 1)]
    days = access_days_detail(enterprise=lead.enterprise, groups=groups)
    api_day = next(d for d in days if d.channel == "接口")
    assert api_day.categories == ["纳税信用等级", "社保缴纳"]
    assert api_day.sources == [f"线索列表（接口）：线索 #{lead.pk}", f"线索详情（接口）：线索 #{lead.pk}"]
    client.force_login(lead.enterprise.memberships.first().user)
    page = client.get(reverse("consent:access_log", args=[lead.enterprise.uscc])).content.decode()
    assert page.count('class="access-who"') == 2  # one entry per viewer, channel and day
    assert "通过接口查询 4 次" in page and "通过后台查询 1 次" in page
    raw = client.get(reverse("consent:access_log", args=[lead.enterprise.uscc]) + "?raw=1").content.decode()
    assert raw.count("<tr>") == 1 + 5  # every read kept behind the summary


def test_the_clock_sweep_clears_a_revoked_judgement_the_request_missed(lead):
    consent = Authorization.objects.get(enterprise=lead.enterprise)
    authorization_revoke(authorization=consent, user=lead.enterprise.memberships.first().user)  # on_commit not run
    assert Lead.objects.get(pk=lead.pk).judgement_basis != ""
    assert judgements_expire() == 1
    lead.refresh_from_db()
    assert (lead.grade, lead.score, lead.judgement_basis) == ("", None, "")
