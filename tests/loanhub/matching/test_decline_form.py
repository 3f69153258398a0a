"""The decline form's errors name the field they are about (the workbench shows them as messages)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loanhub.matching.forms import DeclineForm
from loanhub.matching.models import LeadStatus
from tests.loanhub.matching.test_pages import posted, products, sme  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def test_missing_reasons_are_named_in_the_error():
    form = DeclineForm({"note": "材料不全"})
    assert not form.is_valid()
    assert "未通过原因" in " ".join(form.errors["reasons"])


def test_too_many_reasons_are_named_in_the_error():
    form = DeclineForm({"reasons": ["credit", "revenue", "leverage", "collateral", "industry"]})
    assert not form.is_valid()
    assert any("未通过原因" in error for error in form.errors["reasons"])


def test_declining_without_a_reason_says_which_field_is_missing(client, posted, bank_a, officer_a):  # noqa: F811
    lead = posted.leads.get(institution=bank_a)
    client.force_login(officer_a)
    client.post(reverse("leads_admin:action", args=[lead.pk, "claim"]))
    response = client.post(reverse("leads_admin:action", args=[lead.pk, "decline"]), {"note": "x"}, follow=True)
    assert "请选择“未通过原因”" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status != LeadStatus.DECLINED
