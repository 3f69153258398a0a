"""The labelled book: features as of each decision day, decision, outcome; CSV the trainer reads."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from loanhub.audit.models import AuditEvent, AuditKind
from loanhub.learning.selectors import decided_leads, outcomes
from loanhub.learning.services import book_build
from loanhub.loans.models import Loan, LoanStatus, PerformanceReport, ReportChannel
from loanhub.matching.models import Lead
from tests.factories.accounts import UserFactory
from tests.factories.credit import import_rows
from tests.loanhub.learning.book import build_book

pytestmark = pytest.mark.django_db


def _row(lead: Lead) -> pd.Series:
    frame = book_build().frame
    return frame[frame["lead_id"] == lead.pk].iloc[0]


def test_a_record_dated_after_the_decision_does_not_change_the_row(bank_a_page):
    built = build_book(bank_a_page, n=6)
    lead = next(ld for ld in built.leads if ld.pk not in built.risky)
    before = _row(lead)
    day = lead.decided_at.date()
    later = {"uscc": lead.enterprise.uscc, "issuer": "市场监督管理局", "severity": "严重", "fine_amount": 90000}
    import_rows("penalty", [{**later, "record_date": (day + timedelta(days=1)).isoformat()}])
    after = _row(lead)
    pd.testing.assert_series_equal(before, after)
    # The same record dated on the decision day is known then: the row changes.
    import_rows("penalty", [{**later, "record_date": day.isoformat(), "fine_amount": 70000}])
    assert _row(lead)["penalty_serious_36m"] == before["penalty_serious_36m"] + 1


def test_labels_bad_good_unknown_and_declined(bank_a_page):
    built = build_book(bank_a_page, n=8, declined_every=0)
    labels = outcomes(list(decided_leads()))
    loans = {loan.lead_id: loan for loan in Loan.objects.all()}
    for lead in built.leads:
        expected = 1 if loans[lead.pk].status == LoanStatus.DEFAULTED else 0
        assert labels[lead.pk].bad == expected
    young, npl_late, overdue = built.leads[0], built.leads[1], built.leads[2]
    # Current but only 2 months after disbursement: too young to call good.
    loan = loans[young.pk]
    Loan.objects.filter(pk=loan.pk).update(
        status=LoanStatus.CURRENT, status_as_of=loan.disbursed_on + timedelta(days=60), days_past_due=0
    )
    # 90+ days past due only after the 12-month window, then repaid: good.
    loan = loans[npl_late.pk]
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.REPAID, days_past_due=0)
    PerformanceReport.objects.create(
        loan=loan, as_of=loan.disbursed_on + timedelta(days=400), status=LoanStatus.DPD_90_PLUS,
        outstanding=Decimal(1000), days_past_due=95, channel=ReportChannel.SYSTEM,
    )  # fmt: skip
    # 31–90 days overdue reported inside the window and still so: unknown; 90+ inside it: bad.
    loan = loans[overdue.pk]
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.DPD_31_90, days_past_due=40)
    labels = outcomes(list(decided_leads()))
    assert (labels[young.pk].bad, labels[young.pk].reason) == (None, "unknown")
    assert labels[npl_late.pk].bad == 0
    assert labels[overdue.pk].bad is None
    PerformanceReport.objects.create(
        loan=loan, as_of=loan.disbursed_on + timedelta(days=100), status=LoanStatus.DPD_90_PLUS,
        outstanding=Decimal(1000), days_past_due=91, channel=ReportChannel.SYSTEM,
    )  # fmt: skip
    assert outcomes(list(decided_leads()))[overdue.pk].bad == 1


def test_declined_leads_are_rows_without_a_label_and_labelled_only_leaves_them_out(bank_a_page):
    build_book(bank_a_page, n=14, declined_every=7)
    book = book_build().frame
    declined = book[book["decision"] == "declined"]
    assert len(declined) == 2 and declined["bad"].isna().all()
    labelled = book_build(labelled_only=True).frame
    assert len(labelled) == 12 and set(labelled["decision"]) == {"approved"} and labelled["bad"].notna().all()
    since = pd.to_datetime(book["decision_date"]).iloc[5].date()
    assert book_build(since=since).frame["decision_date"].min() == since.isoformat()


def test_exported_book_trains_with_the_risk_models_command(bank_a_page, tmp_path):
    build_book(bank_a_page, n=210)
    out = tmp_path / "book.csv"
    call_command("export_outcomes", "--out", str(out))
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns[:4]) == ["lead_id", "decision_date", "decision", "bad"]
    assert "uscc" not in frame.columns and "name" not in frame.columns
    assert AuditEvent.objects.filter(kind=AuditKind.CREDIT_DATA_READ, details__action="export_outcomes").exists()
    model_dir = tmp_path / "model"
    run = subprocess.run(
        [sys.executable, "-m", "risk_models", "--quiet", "train", "--data", str(out), "--target", "bad",
         "--id-col", "lead_id", "--time-col", "decision_date", "--out", str(model_dir), "--force"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert (model_dir / "model_card.json").is_file()


def test_admin_page_is_for_platform_admins_and_the_download_is_neutralized_and_audited(
    client, bank_a_page, platform_admin, officer_a
):
    built = build_book(bank_a_page, n=6)
    type(built.leads[0].enterprise).objects.filter(pk=built.leads[0].enterprise_id).update(industry="=C1")
    url = reverse("learning_admin:index")
    client.force_login(officer_a)
    assert client.get(url).status_code in (302, 403)
    assert client.post(reverse("learning_admin:export")).status_code in (302, 403)
    client.force_login(platform_admin)
    page = client.get(url).content.decode()
    assert "导出带标签的样本" in page and "python -m risk_models train --data book.csv" in page
    response = client.post(reverse("learning_admin:export"), {"since": "", "until": ""})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join([response.content]).decode("utf-8-sig"))))
    industry = rows[0].index("industry")
    cells = [row[industry] for row in rows[1:]]
    assert "'=" in cells and not any(c.startswith("=") for c in cells)
    event = AuditEvent.objects.get(kind=AuditKind.CREDIT_DATA_READ, details__channel="admin")
    assert event.user == platform_admin and event.details["rows"] == 6
    bad = client.post(reverse("learning_admin:export"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert "起始日期不能晚于截止日期" in bad.content.decode()


def test_an_sme_user_cannot_open_the_page(client, bank_a_page):
    client.force_login(UserFactory())
    assert client.get(reverse("learning_admin:index")).status_code in (302, 403)
