from __future__ import annotations

import pytest
from django.core.management import call_command

from loanhub.accounts.models import Role, User
from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_creates_the_demo_logins(client, monkeypatch):
    monkeypatch.setenv("LOANHUB_DEMO_PASSWORD", "Seed-test-pass-1")
    call_command("seed_demo", "--quiet-logins")
    counts = (User.objects.count(), Enterprise.objects.count(), FinancialInstitution.objects.count())
    call_command("seed_demo", "--quiet-logins")
    assert (User.objects.count(), Enterprise.objects.count(), FinancialInstitution.objects.count()) == counts

    roles = dict(User.objects.values_list("username", "role"))
    assert roles["demo_sme"] == Role.SME and roles["demo_sme2"] == Role.SME
    assert roles["demo_bank"] == Role.BANK_OFFICER and roles["demo_bank2"] == Role.BANK_OFFICER
    assert roles["demo_bank_manager"] == Role.BANK_MANAGER
    assert roles["demo_admin"] == Role.PLATFORM_ADMIN
    bank1 = User.objects.get(username="demo_bank").institution_membership.institution
    bank2 = User.objects.get(username="demo_bank2").institution_membership.institution
    assert bank1 != bank2
    sme1 = User.objects.get(username="demo_sme").enterprises.get()
    sme2 = User.objects.get(username="demo_sme2").enterprises.get()
    assert sme1 != sme2
    assert client.login(username="demo_sme", password="Seed-test-pass-1")
    assert client.get("/").status_code == 200


def test_seed_demo_gives_demo_sme_consent_records_score_and_an_objection(monkeypatch):
    from loanhub.consent.models import Authorization
    from loanhub.credit_data.models import CreditRecord
    from loanhub.disputes.models import Objection, ObjectionStatus
    from loanhub.scoring.models import ScoreRecord

    call_command("seed_demo", "--quiet-logins")
    sme = User.objects.get(username="demo_sme").enterprises.get()
    bank = User.objects.get(username="demo_bank").institution_membership.institution
    live = Authorization.objects.live().filter(enterprise=sme)
    assert [(a.grantee_type, a.institution) for a in live] == [("institution", bank)]
    assert CreditRecord.objects.filter(uscc=sme.uscc).count() > 50
    score = ScoreRecord.objects.filter(enterprise=sme, scope="full").latest("created_at")
    assert score.reasons and 300 <= score.score <= 900
    assert Objection.objects.filter(enterprise=sme, status=ObjectionStatus.OPEN).count() == 1
    assert sme.is_synthetic
