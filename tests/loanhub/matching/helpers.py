"""Building a lead directly (bypassing matching) for lifecycle and clock tests."""

from __future__ import annotations

from loanhub.consent.models import GranteeType
from loanhub.matching.matcher import products_changed
from loanhub.matching.needs import need_post
from tests.factories.accounts import UserFactory
from tests.factories.credit import authorize
from tests.factories.enterprises import MembershipFactory


def lead_for(product):
    products_changed()
    membership = MembershipFactory(user=UserFactory())
    authorize(membership.enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    need = need_post(
        user=membership.user, enterprise=membership.enterprise, amount=500_000, term_months=12,
        purpose="周转", visibility="chosen", banks=[product.institution], product_ids=[product.pk],
    )  # fmt: skip
    return need.leads.get(product=product)
