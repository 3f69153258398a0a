"""Applying to a product: membership, live and open products, one application per pair."""

from __future__ import annotations

import pytest

from loanhub.matching.exceptions import NotEnterpriseMember, ProductNotOpen
from loanhub.matching.models import ProductApplication
from loanhub.matching.services import product_application_create
from tests.factories.cms import product_create


@pytest.fixture
def product(bank_a_page):
    return product_create(bank_a_page, title="甲行税易贷")


def test_member_applies_and_the_application_is_submitted(sme_owner, product):
    user, enterprise = sme_owner
    application, created = product_application_create(
        user=user, enterprise=enterprise, product=product
    )
    assert created
    assert application.status == "submitted"
    assert (application.enterprise, application.product_id, application.applicant) == (
        enterprise, product.pk, user,
    )  # fmt: skip


def test_applying_twice_gives_one_application(sme_owner, product):
    user, enterprise = sme_owner
    first, _ = product_application_create(user=user, enterprise=enterprise, product=product)
    second, created = product_application_create(
        user=user, enterprise=enterprise, product=product
    )
    assert not created
    assert second.pk == first.pk
    assert ProductApplication.objects.count() == 1


def test_user_cannot_apply_for_an_enterprise_they_do_not_belong_to(
    sme_owner, other_sme_owner, product
):
    user, _own = sme_owner
    _other_user, other_enterprise = other_sme_owner
    with pytest.raises(NotEnterpriseMember):
        product_application_create(user=user, enterprise=other_enterprise, product=product)
    assert not ProductApplication.objects.exists()


def test_closed_product_does_not_accept_applications(sme_owner, bank_a_page):
    user, enterprise = sme_owner
    closed = product_create(bank_a_page, is_open=False)
    with pytest.raises(ProductNotOpen):
        product_application_create(user=user, enterprise=enterprise, product=closed)


def test_unpublished_product_does_not_accept_applications(sme_owner, product):
    user, enterprise = sme_owner
    product.unpublish()
    with pytest.raises(ProductNotOpen):
        product_application_create(user=user, enterprise=enterprise, product=product)


def test_after_withdrawing_the_enterprise_may_apply_again(sme_owner, product):
    user, enterprise = sme_owner
    first, _ = product_application_create(user=user, enterprise=enterprise, product=product)
    first.status = ProductApplication.Status.WITHDRAWN
    first.save()
    second, created = product_application_create(
        user=user, enterprise=enterprise, product=product
    )
    assert created and second.pk != first.pk


# ------------------------------------------------------------------- the web flow


def apply_url(product) -> str:
    return product.url + "apply/"


def test_product_page_offers_apply_to_sme_users_and_login_to_visitors(client, sme_owner, product):
    assert "登录后申请" in client.get(product.url).content.decode()
    client.force_login(sme_owner[0])
    html = client.get(product.url).content.decode()
    assert "立即申请" in html and 'href="' + apply_url(product) + '"' in html


def test_apply_step_asks_for_confirmation_before_submitting(client, sme_owner, product):
    client.force_login(sme_owner[0])
    response = client.get(apply_url(product))
    html = response.content.decode()
    assert response.status_code == 200
    assert "确认提交申请" in html and sme_owner[1].name in html
    assert not ProductApplication.objects.exists()


def test_submitting_without_ticking_the_confirmation_creates_nothing(client, sme_owner, product):
    client.force_login(sme_owner[0])
    response = client.post(apply_url(product), {"enterprise": sme_owner[1].pk})
    assert response.status_code == 200
    assert not ProductApplication.objects.exists()


def test_double_submit_creates_one_application_and_says_already_applied(
    client, sme_owner, product
):
    user, enterprise = sme_owner
    client.force_login(user)
    data = {"enterprise": enterprise.pk, "confirm": "on", "note": "需要流动资金"}

    first = client.post(apply_url(product), data, follow=True)
    second = client.post(apply_url(product), data, follow=True)

    assert "申请已提交" in first.content.decode()
    assert "您已申请过该产品" in second.content.decode()
    assert ProductApplication.objects.filter(enterprise=enterprise).count() == 1
    assert ProductApplication.objects.get().note == "需要流动资金"


def test_user_cannot_pick_an_enterprise_of_someone_else_in_the_form(
    client, sme_owner, other_sme_owner, product
):
    client.force_login(sme_owner[0])
    response = client.post(
        apply_url(product), {"enterprise": other_sme_owner[1].pk, "confirm": "on"}
    )
    assert response.status_code == 200
    assert "enterprise" in response.context["form"].errors
    assert not ProductApplication.objects.exists()


def test_visitors_are_sent_to_log_in_before_applying(client, product):
    response = client.get(apply_url(product))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bank_staff_cannot_apply(client, officer_a, product):
    client.force_login(officer_a)
    response = client.post(apply_url(product), {"confirm": "on"}, follow=True)
    assert "只有已加入企业的企业用户可以申请融资产品" in response.content.decode()
    assert not ProductApplication.objects.exists()
