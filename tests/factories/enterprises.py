from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone

from loanhub.enterprises.models import (
    Enterprise,
    EnterpriseMembership,
    MemberRole,
    VerificationMethod,
    VerificationStatus,
)
from loanhub.enterprises.uscc import uscc_check_character

from .accounts import UserFactory


def make_uscc(n: int, region: str = "440100") -> str:
    body = f"91{region}{n:09d}"
    return body + uscc_check_character(body)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    legal_representative = "王测试"
    region = "440100"
    industry = "C34"
    registration_date = date(2015, 1, 1)
    registered_capital = 1_000_000
    # Factory-made enterprises are verified; PendingEnterpriseFactory makes a 待认证 one.
    verification_status = VerificationStatus.VERIFIED
    verification_method = VerificationMethod.ELEMENTS
    verified_at = factory.LazyFunction(timezone.now)


class PendingEnterpriseFactory(EnterpriseFactory):
    """A new registration: 待认证 until verified."""

    verification_status = VerificationStatus.PENDING
    verification_method = ""
    verified_at = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseMembership

    enterprise = factory.SubFactory(EnterpriseFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.OWNER
