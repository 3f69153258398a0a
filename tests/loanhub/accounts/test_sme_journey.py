"""The SME's first hour: the dashboard's steps, registration's region, the agreements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loanhub.accounts.journey import CURRENT, DONE, NEXT, sme_journey
from loanhub.consent.models import GranteeType
from loanhub.enterprises.models import Enterprise
from loanhub.matching.needs import need_post
from tests.factories.accounts import UserFactory
from tests.factories.credit import authorize, standard_records
from tests.factories.enterprises import MembershipFactory, PendingEnterpriseFactory, make_uscc

pytestmark = pytest.mark.django_db


def _states(enterprise):
    return [step.state for step in sme_journey(enterprise)]


def test_a_new_registration_is_at_the_verification_step():
    membership = MembershipFactory(enterprise=PendingEnterpriseFactory())
    steps = sme_journey(membership.enterprise)
    assert [s.state for s in steps] == [CURRENT, NEXT, NEXT, NEXT]
    assert steps[0].url == reverse("enterprises:verification", args=[membership.enterprise.uscc])


def test_each_step_done_moves_the_current_one_on(sme_owner):
    user, enterprise = sme_owner
    assert _states(enterprise) == [DONE, CURRENT, NEXT, NEXT]
    assert "grantee=platform" in sme_journey(enterprise)[1].url
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["tax_rating", "social_insurance", "licence"])
    assert _states(enterprise) == [DONE, DONE, CURRENT, NEXT]
    assert sme_journey(enterprise)[2].note == "等待获取记录"
    standard_records(enterprise.uscc)
    steps = sme_journey(enterprise)
    assert [s.state for s in steps] == [DONE, DONE, DONE, CURRENT]
    assert steps[2].note == "已生成信用评分"
    assert steps[3].url == reverse("matching:need_new", args=[enterprise.uscc])


def test_posting_a_need_completes_the_journey(sme_owner):
    user, enterprise = sme_owner
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["tax_rating", "social_insurance", "licence"])
    standard_records(enterprise.uscc)
    need_post(user=user, enterprise=enterprise, amount=300_000, term_months=12, purpose="周转")
    steps = sme_journey(enterprise)
    assert all(s.state == DONE for s in steps)
    assert "已发布 1 个需求，0 项申请" == steps[3].note


def test_the_dashboard_shows_the_steps_with_where_the_sme_stands(client, sme_owner):
    user, enterprise = sme_owner
    client.force_login(user)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    for title in ("企业认证", "数据授权", "查看信用画像", "发布融资需求"):
        assert title in html
    assert 'aria-current="step"' in html and "当前步骤" in html
    assert reverse("consent:new", args=[enterprise.uscc]) in html


def test_registration_takes_the_region_from_the_code(client):
    code = make_uscc(901, region="440300")
    data = {
        "username": "newsme", "display_name": "赵新", "email": "newsme@example.com",
        "password1": "Str0ng-pass-word", "password2": "Str0ng-pass-word", "uscc": code,
        "enterprise_name": "深圳新企业有限公司", "legal_representative": "赵新", "region": "110100",
        "industry": "C", "registration_date": "2018-03-01", "registered_capital": "300", "agree": "on",
    }  # fmt: skip
    client.post(reverse("accounts:register"), data)
    assert Enterprise.objects.get(uscc=code).region == "440300"  # a typed-in region is ignored


def test_a_code_without_a_division_is_refused_at_registration(client):
    body = "91" + "000000" + "MA5ABCDE1"
    from loanhub.enterprises.uscc import uscc_check_character

    code = body + uscc_check_character(body)
    html = client.post(reverse("accounts:register"), {"uscc": code}).content.decode()
    assert "第3至8位应为登记机关的行政区划代码" in html


def test_registration_links_to_the_real_agreements(client):
    html = client.get(reverse("accounts:register")).content.decode()
    for slug in ("terms", "privacy"):
        assert reverse("accounts:legal", args=[slug]) in html


@pytest.mark.parametrize(
    ("slug", "text"), [("terms", "平台用户协议"), ("privacy", "隐私政策"), ("authorization", "授权用途")]
)
def test_agreement_pages_are_public_and_real(client, slug, text):
    response = client.get(reverse("accounts:legal", args=[slug]))
    assert response.status_code == 200 and text in response.content.decode()
    assert client.get("/accounts/legal/nothing/").status_code == 404


def test_a_bank_officer_dashboard_has_no_sme_steps(client, officer_a):
    client.force_login(officer_a)
    assert "当前步骤" not in client.get(reverse("accounts:dashboard")).content.decode()


def test_another_users_enterprise_is_not_on_my_dashboard(client, sme_owner):
    _user, enterprise = sme_owner
    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    assert enterprise.name not in client.get(reverse("accounts:dashboard")).content.decode()
