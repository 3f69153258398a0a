"""Reads of credit reports and of banks' requests for them, scoped to who asks.

The report's content itself is assembled in ``content.py`` (a read too).
"""

from __future__ import annotations

import hmac
import re
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from loanhub.accounts.models import User
from loanhub.consent.models import Authorization
from loanhub.consent.selectors import live_authorizations_for_institution
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.selectors import enterprise_list_for_member
from loanhub.institutions.models import FinancialInstitution
from loanhub.institutions.selectors import institution_for_user
from loanhub.matching.models import Lead

from .models import CreditReport, ReportRequest

# "LHR-2026-" + 12 characters of Crockford's base32 (services.report_number_new).
NUMBER_RE = re.compile(r"^LHR-\d{4}-[0-9A-HJKMNP-TV-Z]{12}\Z")
DEFAULT_PERIOD_YEARS = 3
MAX_PERIOD_YEARS = 5  # negative information is not used after 5 years anyway


def default_period(*, today: date) -> tuple[date, date]:
    return today - relativedelta(years=DEFAULT_PERIOD_YEARS), today


def verify_url(*, number: str) -> str:
    """The public verification page, absolute (printed in the PDF and its QR code)."""
    base = str(settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    return base + reverse("reports_public:verify", args=[number])


def report_number_is_well_formed(number: str) -> bool:
    return bool(NUMBER_RE.match(number or ""))


def _reports() -> QuerySet[CreditReport]:
    # The PDF bytes are loaded only where they are sent.
    return CreditReport.objects.select_related("revocation").defer("pdf")


def report_list_for_enterprise(*, enterprise: Enterprise) -> QuerySet[CreditReport]:
    return _reports().filter(enterprise=enterprise).select_related("issued_by").order_by("-issued_at", "-pk")


def report_list_for_member(*, user: User) -> QuerySet[CreditReport]:
    return _reports().filter(enterprise__in=enterprise_list_for_member(user=user)).select_related("enterprise")


def report_get_for_member(*, user: User, number: str, with_pdf: bool = False) -> CreditReport | None:
    """One of the user's enterprises' reports (None for anyone else's)."""
    number = (number or "").upper()
    if not report_number_is_well_formed(number):
        return None
    qs = CreditReport.objects.select_related("revocation", "enterprise") if with_pdf else _reports()
    return qs.filter(number=number, enterprise__in=enterprise_list_for_member(user=user)).first()


def report_get_public(*, number: str) -> CreditReport | None:
    """What anyone may verify: the report's public facts (no PDF), or None."""
    number = (number or "").strip().upper()
    if not report_number_is_well_formed(number):
        return None
    return _reports().filter(number=number).first()


def report_digest_matches(*, report: CreditReport, sha256: str) -> bool:
    """Whether a copy with this SHA-256 is byte for byte the PDF the platform issued."""
    return hmac.compare_digest(sha256.lower().encode(), report.sha256.encode())


def report_valid_list_for_enterprise(*, enterprise: Enterprise) -> list[CreditReport]:
    return [r for r in report_list_for_enterprise(enterprise=enterprise) if r.is_valid]


# ------------------------------------------------------------------ requests


def report_requests_for_enterprise(*, enterprise: Enterprise) -> QuerySet[ReportRequest]:
    return (
        ReportRequest.objects.filter(enterprise=enterprise)
        .select_related("institution", "requested_by", "report", "report__revocation", "lead")
        .defer("report__pdf")
        .order_by("status", "-created_at", "-pk")
    )


def report_requests_for_lead(*, lead: Lead, user: User) -> QuerySet[ReportRequest]:
    """The requests of the officer's own institution on this lead."""
    institution = institution_for_user(user=user)
    if institution is None:
        return ReportRequest.objects.none()
    return (
        ReportRequest.objects.filter(lead=lead, institution=institution)
        .select_related("requested_by", "report", "report__revocation")
        .defer("report__pdf")
        .order_by("-created_at", "-pk")
    )


def report_request_get_for_staff(*, user: User, pk: int) -> ReportRequest | None:
    institution = institution_for_user(user=user)
    if institution is None:
        return None
    return (
        ReportRequest.objects.filter(pk=pk, institution=institution)
        .select_related("enterprise", "institution", "report", "report__revocation", "lead")
        .first()
    )


def report_request_get_for_member(*, user: User, uscc: str, pk: int) -> ReportRequest | None:
    return (
        ReportRequest.objects.filter(pk=pk, enterprise__uscc=(uscc or "").upper())
        .filter(enterprise__in=enterprise_list_for_member(user=user))
        .select_related("enterprise", "institution", "requested_by", "lead")
        .first()
    )


def live_authorizations_for_report(*, enterprise: Enterprise, institution: FinancialInstitution) -> list[Authorization]:
    """A bank sees an enterprise's report only under a live authorization to it,
    whatever its purpose (the enterprise approves each request besides)."""
    if not enterprise.is_verified:
        return []
    return live_authorizations_for_institution(enterprise=enterprise, institution=institution)
