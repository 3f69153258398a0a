"""Reports tests: an owner and its verified enterprise with records in several
categories, and helpers that read a PDF back with poppler-utils (installed by
scripts/ensure_fonts.sh and .ci/run)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from loanhub.reports.models import CreditReport
from tests.factories.accounts import UserFactory
from tests.factories.credit import import_rows, standard_records
from tests.factories.enterprises import MembershipFactory
from tests.factories.portal_fixtures import *  # noqa: F403 — banks and their pages


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install poppler-utils (bash scripts/ensure_fonts.sh)")
    return path


class PdfText(str):
    """Text read from a PDF, compared without whitespace: table cells wrap lines
    wherever their column ends, so ``"a b" in text`` ignores spaces and line breaks."""

    def __new__(cls, raw: str) -> PdfText:
        return super().__new__(cls, "".join(raw.split()))

    def __contains__(self, phrase: object) -> bool:
        return "".join(str(phrase).split()) in str(self)


def pdf_text(data: bytes, *, first: int | None = None, last: int | None = None) -> PdfText:
    """The PDF's text as pdftotext reads it (pages ``first``..``last``)."""
    args = [_tool("pdftotext")]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return PdfText(subprocess.run([*args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode())


def pdf_pages(data: bytes) -> int:
    out = subprocess.run([_tool("pdfinfo"), "-"], input=data, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_of(report: CreditReport) -> bytes:
    return bytes(CreditReport.objects.get(pk=report.pk).pdf)


@pytest.fixture
def owner_enterprise(db):
    """An owner and its verified enterprise with records (a general penalty 200
    days ago, tax amounts, social insurance, a tax rating, an older licence)."""
    membership = MembershipFactory(user=UserFactory(username="report_owner"))
    standard_records(membership.enterprise.uscc)
    return membership.user, membership.enterprise


@pytest.fixture
def member(owner_enterprise):
    """A plain member (not owner) of the same enterprise."""
    from loanhub.enterprises.models import MemberRole

    _owner, enterprise = owner_enterprise
    return MembershipFactory(
        user=UserFactory(username="report_member"), enterprise=enterprise, role=MemberRole.MEMBER
    ).user


def add_penalty(
    uscc: str, *, days_ago: int, severity: str, fine: int, issuer: str = "生态环境局", **extra: object
) -> None:
    day = (timezone.localdate() - timedelta(days=days_ago)).isoformat()
    import_rows(
        "penalty",
        [{"uscc": uscc, "record_date": day, "issuer": issuer, "severity": severity, "fine_amount": fine, **extra}],
    )
