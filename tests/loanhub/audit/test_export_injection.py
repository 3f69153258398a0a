"""The audit export is streamed row by row, each row neutralized against formulas.

A failed login records whatever username and user agent an attacker sends.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from loanhub.audit.models import AuditEvent, AuditKind, Outcome

pytestmark = pytest.mark.django_db

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


@pytest.fixture
def admin_client(client, platform_admin):
    platform_admin.is_superuser = True  # Wagtail admin access, as demo_admin has
    platform_admin.save()
    client.force_login(platform_admin)
    return client


def test_usernames_agents_and_paths_starting_with_a_formula_character_are_neutralized(admin_client):
    for i, prefix in enumerate(PREFIXES):
        AuditEvent.objects.create(
            kind=AuditKind.LOGIN_FAILED, outcome=Outcome.FAILURE, username=f"{prefix}user{i}",
            user_agent=f"{prefix}HYPERLINK(\"http://evil.example\",\"{i}\")", path=f"{prefix}path",
            ip_address="198.51.100.7",
        )  # fmt: skip
    response = admin_client.get(reverse("audit_admin:export"), {"kind": "login_failed"})
    assert response["Content-Disposition"].startswith('attachment; filename="loanhub-audit-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(PREFIXES)
    for row in rows:
        for column in ("username", "user_agent", "path"):
            assert row[column][0] == "'" and row[column][1] in PREFIXES
    assert {row["ip_address"] for row in rows} == {"198.51.100.7"}
