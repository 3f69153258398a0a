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
    # Underwriting for its need, and (issue 15) 贷后管理 for its live loan at that bank.
    assert sorted((a.purpose, a.grantee_type, a.institution) for a in live) == [
        ("monitoring", "institution", bank),
        ("underwriting", "institution", bank),
    ]
    assert CreditRecord.objects.filter(uscc=sme.uscc).count() > 50
    score = ScoreRecord.objects.filter(enterprise=sme, scope="full").latest("created_at")
    assert score.reasons and 300 <= score.score <= 900
    assert Objection.objects.filter(enterprise=sme, status=ObjectionStatus.OPEN).count() == 1
    assert sme.is_synthetic


def test_seed_demo_gives_the_post_loan_pages_labelled_sandbox_data(client):
    """Issue 15: synthetic decisions, loans with monthly reports, renewals, a compensation scheme
    with a pending claim, alerts; all marked as sandbox data and visible to the demo's logins."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from loanhub.loans.compensation_selectors import scheme_available
    from loanhub.loans.models import (
        NPL_STATUSES,
        ClaimStatus,
        CompensationClaim,
        Loan,
        LoanAlert,
        LoanStatus,
        PerformanceReport,
        RenewalRequest,
        SchemeEnrolment,
    )
    from loanhub.matching.models import Lead, LeadStatus

    call_command("seed_demo", "--quiet-logins")
    synthetic = Lead.objects.filter(enterprise__is_synthetic=True)
    decided = synthetic.filter(status__in=(LeadStatus.APPROVED, LeadStatus.DECLINED, LeadStatus.DISBURSED))
    assert decided.count() >= 400
    months = {lead.decided_at.strftime("%Y-%m") for lead in decided.exclude(decided_at=None)}
    assert len(months) >= 18  # spread over two years
    by_bank = decided.values("institution").annotate(
        ok=Count("pk", filter=~Q(status=LeadStatus.DECLINED)), no=Count("pk", filter=Q(status=LeadStatus.DECLINED))
    )
    assert sum(1 for row in by_bank if row["ok"] and row["no"]) >= 5  # every bank approves and declines

    loans = Loan.objects.filter(enterprise__is_synthetic=True)
    assert loans.count() >= 300 and not loans.filter(is_sandbox=False).exists()
    assert loans.count() == synthetic.filter(status=LeadStatus.DISBURSED).count()
    statuses = set(loans.values_list("status", flat=True))
    assert {LoanStatus.CURRENT, LoanStatus.REPAID, LoanStatus.RENEWED, LoanStatus.DEFAULTED} <= statuses
    reports = PerformanceReport.objects.filter(loan__in=loans)
    assert reports.count() >= 2000 and not reports.exclude(note="沙箱合成数据").exists()
    # A loan follows its latest report, and its lead says whether it went bad.
    loan = loans.filter(status__in=NPL_STATUSES).select_related("lead").first()
    latest = loan.reports.order_by("-as_of").first()
    assert (loan.status, loan.outstanding, loan.status_as_of) == (latest.status, latest.outstanding, latest.as_of)
    assert loan.lead.defaulted is True
    assert loan.disbursed_on == loan.lead.disbursed_on
    assert loans.filter(disbursed_on__lt=timezone.localdate() - timedelta(days=540)).exists()

    renewed = loans.filter(status=LoanStatus.RENEWED)
    assert renewed.exists() and loans.filter(renewal_of__in=renewed).count() == renewed.count()
    assert RenewalRequest.objects.filter(loan__in=renewed).count() == renewed.count()
    assert loans.filter(is_first_loan=True).exists()

    bank = User.objects.get(username="demo_bank").institution_membership.institution
    assert SchemeEnrolment.objects.filter(loan__in=loans).count() >= 100
    pending = CompensationClaim.objects.get(status=ClaimStatus.SUBMITTED)
    assert pending.enrolment.loan.institution == bank and pending.enrolment.loan.status == LoanStatus.DEFAULTED
    # The demo fund never promises more than it holds (its enrolments bypass the budget check in bulk).
    assert scheme_available(pending.enrolment.scheme) > 0
    assert LoanAlert.objects.filter(loan__is_sandbox=True).exists()

    # demo_sme has a live loan at demo_bank's bank and nothing gone bad.
    sme = User.objects.get(username="demo_sme").enterprises.get()
    own = Loan.objects.filter(enterprise=sme)
    assert own.filter(institution=bank, status=LoanStatus.CURRENT).exists()
    assert not own.filter(status__in=NPL_STATUSES).exists()

    # The labelled book has enough bad loans for a challenger (about 9% of the labelled book), which the
    # seed trained and compared with the active model on the latest quarter, without activating it; the
    # approval likelihood was learned from the synthetic decisions.
    from loanhub.learning.services import book_build, split_out_of_time
    from loanhub.scoring.models import ApprovalModelVersion, ModelVersion

    labelled = book_build(labelled_only=True).labelled
    _earlier, window = split_out_of_time(labelled)
    assert labelled["bad"].sum() >= 40 and window["bad"].sum() >= 10
    assert 0.03 <= labelled["bad"].mean() <= 0.15
    challenger = ModelVersion.objects.get(is_challenger=True)
    assert not challenger.is_active and challenger.version.startswith("sandbox-challenger-")
    assert challenger.comparison["bads"] >= 10 and challenger.comparison["rows"] == len(window)
    assert challenger.comparison["champion"]["version"] == ModelVersion.objects.get(is_active=True).version
    assert ApprovalModelVersion.objects.filter(is_active=True).count() == 1
    client.force_login(User.objects.get(username="demo_admin"))
    body = client.get(reverse("learning_admin:index")).content.decode()
    assert challenger.version in body
    page = client.get(reverse("scoring_admin:detail", args=[challenger.pk]))
    assert page.status_code == 200 and challenger.comparison["champion"]["version"] in page.content.decode()

    client.force_login(User.objects.get(username="demo_bank"))
    page = client.get(reverse("stats_admin:outcomes"))
    body = page.content.decode()
    assert page.status_code == 200 and "沙箱数据" in body and bank.short_name in body
    client.force_login(User.objects.get(username="demo_admin"))
    body = client.get(reverse("stats_admin:outcomes"), {"by": "grade"}).content.decode()
    assert "沙箱数据" in body and "模型校准" in body and "暂无贷款数据" not in body
