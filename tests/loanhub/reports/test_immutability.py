"""Issued reports never change: rows are append-only; revocation is its own row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from loanhub.reports.models import CreditReport, ReportRevocation
from loanhub.reports.services import report_issue, report_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(owner_enterprise):
    owner, enterprise = owner_enterprise
    return report_issue(enterprise=enterprise, user=owner, purpose="financing")


def test_an_issued_report_cannot_be_changed_or_deleted(report):
    report.record_count = 0
    with pytest.raises(PermissionError):
        report.save()
    with pytest.raises(PermissionError):
        CreditReport.objects.filter(pk=report.pk).update(sha256="0" * 64)
    with pytest.raises(PermissionError):
        report.delete()
    with pytest.raises(PermissionError):
        CreditReport.objects.all().delete()
    stored = CreditReport.objects.get(pk=report.pk)
    assert stored.record_count > 0 and stored.sha256 == report.sha256


def test_revoking_adds_a_row_once_and_leaves_the_file_alone(report, owner_enterprise):
    owner, _enterprise = owner_enterprise
    revocation = report_revoke(report=report, user=owner)
    with pytest.raises(ValidationError):
        report_revoke(report=CreditReport.objects.get(pk=report.pk), user=owner)
    with pytest.raises(PermissionError):
        revocation.delete()
    with pytest.raises(PermissionError):
        ReportRevocation.objects.all().update(revoked_by=None)
    stored = CreditReport.objects.get(pk=report.pk)
    assert stored.status == "revoked" and stored.sha256 == report.sha256


def test_numbers_are_unguessable_and_unique(owner_enterprise):
    owner, enterprise = owner_enterprise
    numbers = {report_issue(enterprise=enterprise, user=owner, purpose="financing").number for _ in range(3)}
    assert len(numbers) == 3
    for number in numbers:
        prefix, year, tail = number.split("-")
        assert prefix == "LHR" and len(year) == 4 and len(tail) == 12
