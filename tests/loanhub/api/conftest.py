"""A small two-bank world for the API tests: products, two SMEs with needs and leads,
officers of both banks, a manager, an administrator, and an API token for each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from loanhub.accounts.models import Role
from loanhub.api.models import ApiToken
from loanhub.api.tokens import token_hash
from loanhub.api.webhooks import webhook_create
from loanhub.consent.models import GranteeType
from loanhub.credit_data.models import CreditRecord
from loanhub.disputes.services import objection_raise
from loanhub.institutions.services import institution_add_staff
from loanhub.matching.matcher import products_changed
from loanhub.matching.needs import need_post
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize, import_rows
from tests.factories.enterprises import MembershipFactory
from tests.factories.portal_fixtures import *  # noqa: F403 — portal, banks and their pages

ROLES = ["anonymous", "sme_a", "sme_b", "officer_a", "officer_b", "manager_a", "admin"]


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    """Rate limits count per test, never across tests."""
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def make_token(user, **fields) -> str:
    """A token straight in the database (the issuing endpoint has its own tests)."""
    from loanhub.institutions.selectors import institution_for_user

    key = f"lh_test_{user.username}_{ApiToken.objects.count()}"
    ApiToken.objects.create(
        user=user, institution=institution_for_user(user=user), prefix=key[:10], key_hash=token_hash(key), **fields
    )
    return key


def client_for(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _staff(bank, username: str, role: str):
    user = UserFactory(username=username, role=Role.BANK_MANAGER if role == "manager" else Role.BANK_OFFICER)
    institution_add_staff(institution=bank, user=user, role=role)
    return user


@dataclass
class World:
    users: dict
    tokens: dict
    ent_a: object
    ent_b: object
    product_a: object
    product_b: object
    need_a: object
    need_b: object
    lead_a: object
    lead_b: object
    consent_a: object
    consent_b: object
    objection_a: object
    objection_b: object
    webhook_a: object
    webhook_b: object

    def client(self, role: str) -> APIClient:
        return client_for(self.tokens.get(role))


@pytest.fixture
def world(bank_a_page, bank_b_page, platform_admin) -> World:
    bank_a, bank_b = bank_a_page.institution, bank_b_page.institution
    product_a = product_create(bank_a_page, title="甲信用贷", rate_min=Decimal("3.50"))
    product_b = product_create(bank_b_page, title="乙信用贷", rate_min=Decimal("3.20"))
    products_changed()
    users = {
        "sme_a": MembershipFactory(user=UserFactory(username="sme_a")).user,
        "sme_b": MembershipFactory(user=UserFactory(username="sme_b")).user,
        "officer_a": _staff(bank_a, "officer_a", "officer"),
        "officer_b": _staff(bank_b, "officer_b", "officer"),
        "manager_a": _staff(bank_a, "manager_a", "manager"),
        "admin": platform_admin,
    }
    ent_a = users["sme_a"].enterprises.get()
    ent_b = users["sme_b"].enterprises.get()
    consents, needs, objections = {}, {}, {}
    chosen = {"a": product_a.pk, "b": product_b.pk}
    for key, enterprise, bank in (("a", ent_a, bank_a), ("b", ent_b, bank_b)):
        import_rows("registration", [{"uscc": enterprise.uscc, "record_date": "2024-03-01", "event": "establishment",
                                       "status": "存续", "registered_capital": 1000000,
                                       "paid_in_capital": 500000}])  # fmt: skip
        consents[key] = authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
        owner = enterprise.memberships.first().user
        needs[key] = need_post(
            user=owner, enterprise=enterprise, amount=500_000, term_months=12, purpose="周转",
            visibility="chosen", banks=[bank], product_ids=[chosen[key]],
        )  # fmt: skip
        record = CreditRecord.objects.filter(uscc=enterprise.uscc).first()
        objections[key] = objection_raise(user=owner, enterprise=enterprise, record=record, reason=f"有误{key}")
    webhooks = {
        key: webhook_create(institution=bank, user=users["manager_a"], url=f"https://hooks.bank-{key}.example/lh",
                            secret="s" * 20 + key, is_active=False)
        for key, bank in (("a", bank_a), ("b", bank_b))
    }  # fmt: skip
    tokens = {role: make_token(user) for role, user in users.items()}
    return World(
        users=users, tokens=tokens, ent_a=ent_a, ent_b=ent_b, product_a=product_a, product_b=product_b,
        need_a=needs["a"], need_b=needs["b"], lead_a=needs["a"].leads.get(), lead_b=needs["b"].leads.get(),
        consent_a=consents["a"], consent_b=consents["b"], objection_a=objections["a"], objection_b=objections["b"],
        webhook_a=webhooks["a"], webhook_b=webhooks["b"],
    )  # fmt: skip
