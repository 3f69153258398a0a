"""The authorization form: each radio beside its label; the bank list only for a bank."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_choices_are_radios_laid_out_with_their_labels(client, sme_owner):
    user, enterprise = sme_owner
    client.force_login(user)
    html = client.get(reverse("consent:new", args=[enterprise.uscc])).content.decode()
    for name in ("grantee_type", "purpose"):
        radios = re.findall(
            rf'<li><input type="radio" name="{name}" value="[^"]+"[^>]*id="([^"]+)"[^>]*> <label for="\1">', html
        )
        assert len(radios) == 3, name  # three choices, each input followed by its own label
    assert 'data-show-when="grantee_type=institution"' in html  # portal.js shows the bank list for a bank only
    assert reverse("accounts:legal", args=["authorization"]) in html


def test_without_javascript_the_bank_list_is_still_there_and_required_for_a_bank(client, sme_owner):
    user, enterprise = sme_owner
    client.force_login(user)
    html = client.post(
        reverse("consent:new", args=[enterprise.uscc]),
        {"grantee_type": "institution", "purpose": "matching", "categories": ["registration"], "data_range": "3",
         "validity": "12"},
    ).content.decode()  # fmt: skip
    assert 'name="institution"' in html and "请选择被授权的金融机构" in html


def test_a_platform_grant_needs_no_bank(client, sme_owner):
    user, enterprise = sme_owner
    client.force_login(user)
    response = client.post(
        reverse("consent:new", args=[enterprise.uscc]),
        {"grantee_type": "platform", "purpose": "matching", "categories": ["registration"], "data_range": "3",
         "validity": "12"},
    )  # fmt: skip
    assert response.status_code == 302 and reverse("consent:confirm", args=[enterprise.uscc]) in response["Location"]


def test_the_script_that_hides_the_bank_list_is_in_portal_js():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[3] / "loanhub" / "static" / "js" / "portal.js").read_text()
    assert "data-show-when" in script and "disabled" in script
