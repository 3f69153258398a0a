"""Encrypted tax amounts are shown to whoever is entitled (the SME itself, a bank with
the separate tax tick) and stay hidden from a bank whose consent lacks it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from loanhub.api.serializers import CreditProfileSerializer
from loanhub.consent.models import GranteeType, Purpose
from loanhub.consent.selectors import viewer_scope
from loanhub.consent.services import authorization_grant
from loanhub.credit_data.selectors import credit_profile_for_viewer
from loanhub.scoring.services import record_frames
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.credit import import_rows

pytestmark = pytest.mark.django_db
AMOUNT = "97531"
SHOWN = "97,531"  # as the profile page writes it (thousands separators)


@pytest.fixture
def taxed(sme_owner):
    user, enterprise = sme_owner
    day = timezone.localdate() - timedelta(days=40)
    import_rows("tax_payment", [{"uscc": enterprise.uscc, "record_date": day.isoformat(),
                                 "period": day.strftime("%Y-%m"), "tax_paid": AMOUNT}])  # fmt: skip
    import_rows(
        "tax_rating",
        [
            {
                "uscc": enterprise.uscc,
                "record_date": day.isoformat(),
                "year": day.year - 1,
                "grade": "B",
            }
        ],
    )
    return user, enterprise


def grant(user, enterprise, bank, categories: list[str], **extra):
    return authorization_grant(
        enterprise=enterprise, user=user, password=TEST_PASSWORD, grantee_type=GranteeType.INSTITUTION,
        institution=bank, purpose=Purpose.UNDERWRITING, categories=categories,
        data_from=timezone.localdate() - timedelta(days=365), expires_at=timezone.now() + timedelta(days=90),
        **extra,
    )  # fmt: skip


def test_the_sme_sees_its_own_tax_amounts(client, taxed):
    user, enterprise = taxed
    client.force_login(user)
    page = client.get(reverse("credit_data:profile", args=[enterprise.uscc])).content.decode()
    assert SHOWN in page
    data = CreditProfileSerializer(credit_profile_for_viewer(viewer=user, enterprise=enterprise)).data
    tax = next(s for s in data["sections"] if s["code"] == "tax_payment")
    assert tax["records"][0]["payload"]["tax_paid"] == float(AMOUNT)


def test_a_bank_without_the_tax_tick_never_sees_the_amounts(client, taxed, bank_a, officer_a):
    user, enterprise = taxed
    with pytest.raises(ValidationError):
        grant(user, enterprise, bank_a, ["tax_rating", "tax_payment"])  # no separate tick
    grant(user, enterprise, bank_a, ["tax_rating"])
    client.force_login(officer_a)
    page = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc])).content.decode()
    assert "纳税信用等级" in page and AMOUNT not in page and SHOWN not in page and "缴纳税额" not in page
    data = CreditProfileSerializer(credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)).data
    assert AMOUNT not in str(data) and "tax_payment" not in {s["code"] for s in data["sections"]}
    scope = viewer_scope(user=officer_a, enterprise=enterprise)
    assert "tax_payment" not in record_frames([enterprise.uscc], scope=scope)  # nor scored


def test_a_bank_with_the_tax_tick_sees_the_decrypted_amounts(client, taxed, bank_a, officer_a):
    user, enterprise = taxed
    grant(user, enterprise, bank_a, ["tax_payment"], sensitive_confirmed=True)
    client.force_login(officer_a)
    page = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc])).content.decode()
    assert SHOWN in page
    scope = viewer_scope(user=officer_a, enterprise=enterprise)
    assert record_frames([enterprise.uscc], scope=scope)["tax_payment"]["tax_paid"].tolist() == [float(AMOUNT)]
