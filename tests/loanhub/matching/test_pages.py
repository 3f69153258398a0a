"""The SME's need pages and the bank workbench, over HTTP with the test client."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.accounts.models import Role
from loanhub.consent.models import AccessLog, GranteeType
from loanhub.institutions.services import institution_add_staff
from loanhub.matching.matcher import products_changed
from loanhub.matching.models import Lead, LeadStatus
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sme(portal):
    membership = MembershipFactory(user=UserFactory(username="sme_owner"))
    return membership.user, membership.enterprise


@pytest.fixture
def products(bank_a_page, bank_b_page):
    made = [
        product_create(bank_a_page, title="甲信用贷", rate_min=Decimal("3.50")),
        product_create(bank_b_page, title="乙信用贷", rate_min=Decimal("3.20")),
        product_create(bank_a_page, title="甲大额贷", amount_min=Decimal("5000000"), amount_max=Decimal("9000000")),
    ]
    products_changed()
    return made


@pytest.fixture
def officer_b(bank_b_page):
    user = UserFactory(username="officer_b", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_b_page.institution, user=user)
    return user


NEED = {"amount_wan": "50", "term_months": "12", "purpose": "采购原材料", "urgency": "normal", "visibility": "all"}


def test_posting_without_consent_leads_to_the_authorization_form_and_back(client, sme, products):
    user, enterprise = sme
    client.force_login(user)
    response = client.post(reverse("matching:need_new", args=[enterprise.uscc]), NEED)
    assert response.status_code == 302
    assert reverse("consent:new", args=[enterprise.uscc]) in response["Location"]
    assert "grantee=applied" in response["Location"]
    form = client.get(reverse("matching:need_new", args=[enterprise.uscc])).content.decode()
    assert 'value="采购原材料"' in form  # what was typed is kept


def test_sme_posts_a_need_and_chooses_from_matches_and_near_misses(client, sme, products):
    user, enterprise = sme
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    client.force_login(user)
    response = client.post(reverse("matching:need_new", args=[enterprise.uscc]), NEED, follow=True)
    body = response.content.decode()
    assert "请在下方勾选要申请的产品" in body
    assert "甲信用贷" in body and "乙信用贷" in body
    assert body.count('type="checkbox" name="product"') == 2  # one box per eligible product
    assert "金额低于该产品下限" in body  # the near miss says why
    assert Lead.objects.filter(enterprise=enterprise).count() == 0  # nothing applied for the SME


def test_bad_need_shows_clear_errors(client, sme, products):
    user, enterprise = sme
    client.force_login(user)
    body = client.post(
        reverse("matching:need_new", args=[enterprise.uscc]), {**NEED, "term_months": "0", "visibility": "chosen"}
    ).content.decode()
    assert "请至少选择一家金融机构" in body


def test_other_smes_cannot_open_my_needs(client, sme, products, other_sme_owner):
    user, enterprise = sme
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    client.force_login(user)
    client.post(reverse("matching:need_new", args=[enterprise.uscc]), NEED)
    need = enterprise.needs.get()
    other_user, _ = other_sme_owner
    client.force_login(other_user)
    assert client.get(reverse("matching:need_detail", args=[enterprise.uscc, need.pk])).status_code == 404


@pytest.fixture
def posted(client, sme, products):
    user, enterprise = sme
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    client.force_login(user)
    client.post(reverse("matching:need_new", args=[enterprise.uscc]), NEED)
    need = enterprise.needs.get()
    client.post(
        reverse("matching:need_apply", args=[enterprise.uscc, need.pk]), {"product": [p.pk for p in products[:2]]}
    )
    return need


def test_officer_works_a_lead_through_the_workbench(client, posted, bank_a, officer_a):
    lead = posted.leads.get(institution=bank_a)
    client.force_login(officer_a)
    listing = client.get(reverse("leads_admin:index")).content.decode()
    assert posted.enterprise.name in listing
    detail = client.get(reverse("leads_admin:detail", args=[lead.pk]))
    assert detail.status_code == 200
    # The list and the page each showed the lead's judgement: both reads are logged.
    logs = list(AccessLog.objects.filter(enterprise=posted.enterprise).order_by("pk"))
    assert [log.detail for log in logs] == [f"线索列表：线索 #{lead.pk}", f"线索详情：线索 #{lead.pk}"]
    assert all(log.user == officer_a and log.institution == bank_a for log in logs)
    client.post(reverse("leads_admin:action", args=[lead.pk, "claim"]))
    client.post(
        reverse("leads_admin:action", args=[lead.pk, "approve"]),
        {"amount": "40", "rate": "3.90", "term_months": "12"},  # 万元
    )
    client.post(
        reverse("leads_admin:action", args=[lead.pk, "disburse"]),
        {"amount": "40", "disbursed_on": timezone.localdate().isoformat()},
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISBURSED
    assert lead.approved_amount == lead.disbursed_amount == 400_000


def test_workbench_decline_shows_the_reasons_to_the_sme(client, posted, bank_a, officer_a, sme):
    lead = posted.leads.get(institution=bank_a)
    client.force_login(officer_a)
    client.post(reverse("leads_admin:action", args=[lead.pk, "claim"]))
    response = client.post(
        reverse("leads_admin:action", args=[lead.pk, "decline"]), {"reasons": ["credit", "materials"]}, follow=True
    )
    assert response.status_code == 200
    user, enterprise = sme
    client.force_login(user)
    body = client.get(reverse("matching:need_detail", args=[enterprise.uscc, posted.pk])).content.decode()
    assert "信用状况暂不符合本产品的要求" in body
    assert "申请材料不完整" in body


def test_an_officer_gets_404_for_another_banks_lead(client, posted, bank_a, officer_b):
    lead = posted.leads.get(institution=bank_a)
    client.force_login(officer_b)
    assert client.get(reverse("leads_admin:detail", args=[lead.pk])).status_code == 404
    response = client.post(reverse("leads_admin:action", args=[lead.pk, "claim"]))
    assert response.status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
    listing = client.get(reverse("leads_admin:index")).content.decode()
    assert f'href="/cms-admin/leads/{lead.pk}/"' not in listing


def test_sme_users_cannot_reach_the_workbench(client, sme):
    user, _ = sme
    client.force_login(user)
    assert client.get(reverse("leads_admin:index")).status_code in (302, 403)


def test_export_lists_only_the_banks_own_leads(client, posted, bank_a, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("leads_admin:export"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2  # header + bank A's one lead
    assert rows[1][3] == "甲信用贷"
    xlsx = client.get(reverse("leads_admin:export") + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_scorecard_and_statistics(client, posted, bank_a, officer_a):
    from tests.factories.accounts import UserFactory as Users

    client.force_login(officer_a)
    card = client.get(reverse("leads_admin:scorecard")).content.decode()
    assert bank_a.name in card
    admin = Users(username="stats_admin", role=Role.PLATFORM_ADMIN, is_superuser=True)
    client.force_login(admin)
    body = client.get(reverse("stats_admin:dashboard") + "?by=bank").content.decode()
    assert "推送线索" in body and bank_a.short_name in body
    exported = client.get(reverse("stats_admin:export") + "?by=region").content.decode("utf-8-sig")
    assert exported.splitlines()[0].startswith("地区")
    client.force_login(officer_a)
    assert client.get(reverse("stats_admin:dashboard")).status_code in (302, 403)
