"""The statistics export cannot carry a live formula; its figures stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from loanhub.accounts.models import Role
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


@pytest.fixture
def admin_client(client, portal):
    client.force_login(UserFactory(username="stats_admin", role=Role.PLATFORM_ADMIN, is_superuser=True))
    return client


def export(client, by: str) -> list[list[str]]:
    response = client.get(reverse("stats_admin:export"), {"by": by})
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_bank_name_starting_with_a_formula_character_is_neutralized(admin_client, bank_a_page, prefix):
    bank = bank_a_page.institution
    bank.short_name = f'{prefix}HYPERLINK("http://evil.example","银行")'
    bank.save()
    lead_for(product_create(bank_a_page, title="甲信用贷"))
    rows = export(admin_client, "bank")
    assert rows[1][0] == "'" + bank.short_name
    assert rows[1][1] == "1"  # the lead count: a number, not quoted
    assert rows[1][6] == "0.00"  # the disbursed amount


def test_an_unknown_dimension_is_not_echoed_into_the_file(admin_client):
    rows = export(admin_client, "=1+1")
    assert rows[0][0] == "金融机构"
