"""The demo's sandbox serves synthetic records to any enterprise registered in it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.consent.models import GranteeType, Purpose
from loanhub.consent.services import authorization_grant
from loanhub.credit_data.models import CreditRecord, ImportBatch, ProviderKind
from loanhub.credit_data.services import sandbox_records_fetch
from loanhub.scoring.selectors import data_coverage
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db
ALL_PUBLIC = ["registration", "licence", "penalty", "tax_rating", "social_insurance", "housing_fund", "utilities",
              "judicial", "dishonest_debtor", "environment", "honour", "commitment", "carbon"]  # fmt: skip


def _grant(user, enterprise, categories=ALL_PUBLIC):
    return authorization_grant(
        enterprise=enterprise, user=user, password=TEST_PASSWORD, grantee_type=GranteeType.PLATFORM,
        institution=None, purpose=Purpose.MATCHING, categories=categories,
        data_from=timezone.localdate() - timedelta(days=365 * 3), expires_at=timezone.now() + timedelta(days=300),
    )  # fmt: skip


def test_authorizing_in_the_demo_fetches_the_newcomers_sandbox_records(
    settings, sme_owner, django_capture_on_commit_callbacks
):
    settings.LOANHUB_SANDBOX_RECORDS = True
    user, enterprise = sme_owner
    with django_capture_on_commit_callbacks(execute=True):
        _grant(user, enterprise)
    records = CreditRecord.objects.filter(uscc=enterprise.uscc)
    assert records.exists() and set(records.values_list("provider__kind", flat=True)) == {ProviderKind.SANDBOX}
    assert set(records.values_list("category", flat=True)) <= set(ALL_PUBLIC)
    assert records.filter(record_date__lt=enterprise.registration_date).count() == 0
    assert data_coverage(enterprise=enterprise).rated
    assert not ImportBatch.objects.filter(rows_total=0).exists()  # no empty batch per category


def test_the_same_code_gets_the_same_records_and_a_refetch_adds_nothing(settings, sme_owner):
    settings.LOANHUB_SANDBOX_RECORDS = True
    user, enterprise = sme_owner
    _grant(user, enterprise)
    sandbox_records_fetch(enterprise)
    first = sorted(CreditRecord.objects.filter(uscc=enterprise.uscc).values_list("natural_key", flat=True))
    batches = sandbox_records_fetch(enterprise)
    assert sum(b.rows_loaded for b in batches) == 0
    assert sorted(CreditRecord.objects.filter(uscc=enterprise.uscc).values_list("natural_key", flat=True)) == first


def test_only_authorized_categories_are_fetched(settings, sme_owner):
    settings.LOANHUB_SANDBOX_RECORDS = True
    user, enterprise = sme_owner
    _grant(user, enterprise, categories=["registration", "utilities"])
    sandbox_records_fetch(enterprise)
    assert set(CreditRecord.objects.filter(uscc=enterprise.uscc).values_list("category", flat=True)) <= {
        "registration", "utilities"
    }  # fmt: skip


def test_without_the_demo_setting_nothing_is_fetched(settings, sme_owner, django_capture_on_commit_callbacks):
    settings.LOANHUB_SANDBOX_RECORDS = False
    user, enterprise = sme_owner
    with django_capture_on_commit_callbacks(execute=True):
        _grant(user, enterprise)
    assert sandbox_records_fetch(enterprise) == []
    assert not CreditRecord.objects.filter(uscc=enterprise.uscc).exists()


def test_production_settings_turn_sandbox_records_off():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "loanhub" / "settings" / "production.py").read_text()
    assert "LOANHUB_SANDBOX_RECORDS = False" in text


def test_the_profile_labels_sandbox_records(client, settings, sme_owner):
    settings.LOANHUB_SANDBOX_RECORDS = True
    user, enterprise = sme_owner
    _grant(user, enterprise)
    sandbox_records_fetch(enterprise)
    client.force_login(user)
    html = client.get(reverse("credit_data:profile", args=[enterprise.uscc])).content.decode()
    assert "沙箱数据" in html and "示例数据" in html
