"""The SME chooses which matched products to apply to; matching only suggests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from loanhub.consent.models import GranteeType
from loanhub.matching.exceptions import NotEligible
from loanhub.matching.matcher import products_changed
from loanhub.matching.models import Lead, LeadStatus
from loanhub.matching.needs import (
    need_apply_products,
    need_post,
    need_suggestions,
    need_update,
    rematch_enterprise,
)
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sme(portal):
    membership = MembershipFactory(user=UserFactory(username="sme_owner"))
    authorize(membership.enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    return membership.user, membership.enterprise


@pytest.fixture
def products(bank_a_page, bank_b_page):
    made = {
        "a": product_create(bank_a_page, title="甲信用贷", rate_min=Decimal("3.50")),
        "b": product_create(bank_b_page, title="乙信用贷", rate_min=Decimal("3.20")),
        "big": product_create(bank_a_page, title="甲大额贷", amount_min=Decimal("5000000"), amount_max=Decimal("9e6")),
    }
    products_changed()
    return made


def _post(user, enterprise, **extra):
    return need_post(user=user, enterprise=enterprise, amount=500_000, term_months=12, purpose="采购原材料", **extra)


def test_posting_a_need_applies_to_nothing_by_itself(sme, products):
    user, enterprise = sme
    need = _post(user, enterprise)
    assert not need.leads.exists()
    assert {m.product_id for m in need_suggestions(need)} == {products["a"].pk, products["b"].pk}


def test_only_the_chosen_products_become_leads(sme, products):
    user, enterprise = sme
    need = _post(user, enterprise, product_ids=[products["b"].pk])
    assert list(need.leads.values_list("product_id", flat=True)) == [products["b"].pk]
    assert [m.product_id for m in need_suggestions(need)] == [products["a"].pk]


def test_a_product_that_does_not_match_is_refused_with_the_reason(sme, products):
    user, enterprise = sme
    need = _post(user, enterprise)
    with pytest.raises(NotEligible) as exc:
        need_apply_products(user=user, need=need, product_ids=[products["a"].pk, products["big"].pk])
    assert any("金额低于该产品下限" in r for r in exc.value.reasons)
    assert not need.leads.exists()  # all or nothing
    with pytest.raises(ValidationError):
        need_apply_products(user=user, need=need, product_ids=[])


def test_applying_twice_to_a_product_keeps_one_lead(sme, products):
    user, enterprise = sme
    need = _post(user, enterprise, product_ids=[products["a"].pk])
    again = need_apply_products(user=user, need=need, product_ids=[products["a"].pk])
    assert [lead.pk for lead in again] == list(need.leads.values_list("pk", flat=True))


def test_a_rematch_suggests_a_new_product_but_applies_to_nothing(sme, products, bank_a_page):
    user, enterprise = sme
    need = _post(user, enterprise, product_ids=[products["a"].pk])
    newer = product_create(bank_a_page, title="甲新品贷", rate_min=Decimal("3.10"))
    products_changed()
    assert rematch_enterprise(enterprise) == 2  # 乙信用贷 and the new product, as suggestions
    assert Lead.objects.filter(need=need).count() == 1
    assert newer.pk in {m.product_id for m in need_suggestions(need)}


def test_editing_a_need_applies_again_only_to_the_chosen_products(sme, products):
    user, enterprise = sme
    need = _post(user, enterprise, product_ids=[products["a"].pk])
    need_update(user=user, need=need, amount=600_000)
    open_leads = need.leads.exclude(status=LeadStatus.WITHDRAWN)
    assert list(open_leads.values_list("product_id", flat=True)) == [products["a"].pk]


def test_the_need_page_applies_to_the_ticked_products_only(client, sme, products):
    user, enterprise = sme
    need = _post(user, enterprise)
    client.force_login(user)
    page = client.get(reverse("matching:need_detail", args=[enterprise.uscc, need.pk])).content.decode()
    assert f'name="product" value="{products["a"].pk}"' in page and "申请所选产品" in page
    response = client.post(
        reverse("matching:need_apply", args=[enterprise.uscc, need.pk]), {"product": [products["b"].pk]}, follow=True
    )
    assert "已提交 1 项申请" in response.content.decode()
    assert list(need.leads.values_list("product_id", flat=True)) == [products["b"].pk]
    nothing = client.post(reverse("matching:need_apply", args=[enterprise.uscc, need.pk]), {}, follow=True)
    assert "请至少选择一个产品" in nothing.content.decode()


def test_another_sme_cannot_apply_on_my_need(client, sme, products, other_sme_owner):
    user, enterprise = sme
    need = _post(user, enterprise)
    other, _ = other_sme_owner
    client.force_login(other)
    response = client.post(reverse("matching:need_apply", args=[enterprise.uscc, need.pk]), {"product": [1]})
    assert response.status_code == 404 and not need.leads.exists()
