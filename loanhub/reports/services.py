"""Issuing and revoking credit reports; banks' requests for them and their downloads."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.accounts.services import notify
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.consent.models import Channel
from loanhub.consent.services import access_log_record
from loanhub.credit_data.catalog import CATEGORY_CODES
from loanhub.enterprises.models import Enterprise, MemberRole
from loanhub.enterprises.selectors import enterprise_is_owner
from loanhub.enterprises.services import enterprise_require_verified
from loanhub.institutions.selectors import institution_for_user
from loanhub.matching.models import Lead

from .content import report_content
from .exceptions import ReportNotAllowed, ReportRevoked, RequestNotPending
from .models import CreditReport, ReportPurpose, ReportRequest, ReportRevocation, RequestStatus
from .pdf import ReportFacts, render_report_pdf
from .selectors import (
    MAX_PERIOD_YEARS,
    default_period,
    live_authorizations_for_report,
    verify_url,
)

NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
NUMBER_LENGTH = 12  # 60 random bits: numbers cannot be guessed


def report_number_new(*, year: int) -> str:
    return f"LHR-{year}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def _require_owner(user: User, enterprise: Enterprise, message: str) -> None:
    if not enterprise_is_owner(user=user, enterprise=enterprise):
        raise ReportNotAllowed(message)


def _years_before(day: date, years: int) -> date:
    try:
        return day - relativedelta(years=years)
    except (ValueError, OverflowError):  # before year 1
        return date.min


def _checked_period(period_start: date | None, period_end: date | None, today: date) -> tuple[date, date]:
    default_start, default_end = default_period(today=today)
    start, end = period_start or default_start, period_end or default_end
    errors = {}
    if end > today:
        errors["period_end"] = _("报告期止不能晚于今天。")
    if start > end:
        errors["period_start"] = _("报告期起不能晚于报告期止。")
    elif start < _years_before(end, MAX_PERIOD_YEARS):
        errors["period_start"] = _("报告期最长5年。")
    if errors:
        raise ValidationError(errors)
    return start, end


def report_issue(
    *,
    enterprise: Enterprise,
    user: User,
    purpose: str,
    period_start: date | None = None,
    period_end: date | None = None,
    include_score: bool = False,
) -> CreditReport:
    """Make the enterprise's report as of now and store it, immutable.

    Only a verified enterprise's owner may. The PDF is rendered outside the
    transaction (it takes a moment; the database write lock is not held meanwhile).
    Raises ReportFontMissing when the server has no CJK font."""
    enterprise_require_verified(enterprise)
    _require_owner(user, enterprise, _("只有企业管理员可以生成信用报告。"))
    if purpose not in ReportPurpose.values:
        raise ValidationError({"purpose": _("请选择报告用途。")})
    now = timezone.now()
    start, end = _checked_period(period_start, period_end, timezone.localdate(now))
    content = report_content(
        enterprise=enterprise,
        period_start=start,
        period_end=end,
        include_score=include_score,
        on=timezone.localdate(now),
    )
    number = report_number_new(year=timezone.localdate(now).year)
    with translation.override("zh-hans"):
        label = str(ReportPurpose(purpose).label)
    facts = ReportFacts(number=number, issued_at=now, purpose=label, verify_url=verify_url(number=number))
    pdf = render_report_pdf(content=content, facts=facts)
    with transaction.atomic():
        report = CreditReport.objects.create(
            number=number,
            enterprise=enterprise,
            enterprise_name=enterprise.name,
            enterprise_uscc=enterprise.uscc,
            issued_by=user,
            purpose=purpose,
            period_start=start,
            period_end=end,
            include_score=include_score,
            record_count=content.record_count,
            pdf=pdf,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            issued_at=now,
        )
        audit_record(
            kind=AuditKind.CREDIT_REPORT_ISSUED,
            user=user,
            obj=report,
            number=number,
            purpose=purpose,
            period=[start, end],
            include_score=include_score,
        )
    return report


def report_revoke(*, report: CreditReport, user: User) -> ReportRevocation:
    """Withdraw the report: its verification page says 已撤回 from now on, and no bank
    can download it any more. The issued file itself is kept unchanged."""
    _require_owner(user, report.enterprise, _("只有企业管理员可以撤回信用报告。"))
    try:
        with transaction.atomic():
            revocation = ReportRevocation.objects.create(report=report, revoked_by=user)
            audit_record(kind=AuditKind.CREDIT_REPORT_REVOKED, user=user, obj=report, number=report.number)
    except IntegrityError:
        raise ReportRevoked() from None
    report.revocation = revocation
    return revocation


# ------------------------------------------------------------------ requests


def report_request_create(*, lead: Lead, officer: User) -> ReportRequest:
    """A bank officer asks, from one of its leads, to see the enterprise's report.

    Needs a live authorization of the enterprise to the lead's bank (any purpose)."""
    institution = institution_for_user(user=officer)
    if institution is None or institution.pk != lead.institution_id:
        raise ReportNotAllowed(_("只能为本机构的线索申请信用报告。"))
    enterprise = lead.enterprise
    if not live_authorizations_for_report(enterprise=enterprise, institution=institution):
        raise ReportNotAllowed(_("企业没有对本机构生效的授权，不能申请查看信用报告。"))
    try:
        with transaction.atomic():
            report_request = ReportRequest.objects.create(
                enterprise=enterprise, institution=institution, lead=lead, requested_by=officer
            )
    except IntegrityError:
        raise ValidationError(_("已有待企业确认的申请，请等待企业处理。"), code="request_pending") from None
    audit_record(
        kind=AuditKind.CREDIT_REPORT_REQUESTED, user=officer, obj=enterprise, institution=institution.name, lead=lead.pk
    )
    link = reverse("reports:index", args=[enterprise.uscc])
    for membership in enterprise.memberships.filter(role=MemberRole.OWNER).select_related("user"):
        notify(
            user=membership.user,
            link=link,
            title=_("%(bank)s 申请查看企业信用报告") % {"bank": institution.name},
            body=_(
                "请在“信用报告”页同意（选择或生成一份报告）或拒绝。同意后该机构可在授权有效期内下载报告，每次下载都会记录。"
            ),
        )
    return report_request


def _pending(report_request: ReportRequest, user: User) -> None:
    _require_owner(user, report_request.enterprise, _("只有企业管理员可以处理信用报告查看申请。"))
    if report_request.status != RequestStatus.PENDING:
        raise RequestNotPending()


def _decided(report_request: ReportRequest, user: User, status: str, report: CreditReport | None) -> ReportRequest:
    updated = ReportRequest.objects.filter(pk=report_request.pk, status=RequestStatus.PENDING).update(
        status=status, report=report, decided_by=user, decided_at=timezone.now()
    )
    if not updated:  # decided meanwhile by someone else
        raise RequestNotPending()
    report_request.refresh_from_db()
    audit_record(
        kind=AuditKind.CREDIT_REPORT_REQUEST_DECIDED,
        user=user,
        obj=report_request.enterprise,
        institution=report_request.institution.name,
        decision=status,
        number=report.number if report else "",
    )
    notify(
        user=report_request.requested_by,
        link=reverse("leads_admin:detail", args=[report_request.lead_id]),
        title=(
            _("%(name)s 同意了信用报告查看申请")
            if status == RequestStatus.APPROVED
            else _("%(name)s 拒绝了信用报告查看申请")
        )
        % {"name": report_request.enterprise.name},
    )
    return report_request


def report_request_approve(
    *, report_request: ReportRequest, user: User, report: CreditReport | None = None, include_score: bool = False
) -> ReportRequest:
    """Approve with one of the enterprise's valid reports, or a new financing report."""
    _pending(report_request, user)
    if report is None:
        report = report_issue(
            enterprise=report_request.enterprise,
            user=user,
            purpose=ReportPurpose.FINANCING,
            include_score=include_score,
        )
    elif report.enterprise_id != report_request.enterprise_id:
        raise ReportNotAllowed(_("只能提供本企业的信用报告。"))
    elif not report.is_valid:
        raise ReportRevoked()
    return _decided(report_request, user, RequestStatus.APPROVED, report)


def report_request_decline(*, report_request: ReportRequest, user: User) -> ReportRequest:
    _pending(report_request, user)
    return _decided(report_request, user, RequestStatus.DECLINED, None)


def report_request_download(
    *, report_request: ReportRequest, user: User, channel: str = Channel.BACK_OFFICE
) -> CreditReport:
    """The approved report for the requesting bank, while its authorization is live;
    every download is written to the enterprise's access log."""
    institution = institution_for_user(user=user)
    if institution is None or institution.pk != report_request.institution_id:
        raise ReportNotAllowed(_("该申请不属于本机构。"))
    if report_request.status != RequestStatus.APPROVED or report_request.report_id is None:
        raise ReportNotAllowed(_("企业尚未同意该申请。"))
    report = CreditReport.objects.select_related("revocation").get(pk=report_request.report_id)
    if not report.is_valid:
        raise ReportRevoked()
    artefacts = live_authorizations_for_report(enterprise=report_request.enterprise, institution=institution)
    if not artefacts:
        raise ReportNotAllowed(_("企业对本机构的授权已撤回或过期，不能下载信用报告。"))
    access_log_record(
        enterprise=report_request.enterprise,
        user=user,
        institution=institution,
        authorization=artefacts[0],
        categories=list(CATEGORY_CODES),
        purpose=artefacts[0].purpose,
        channel=channel,
        detail=f"信用报告 {report.number}",
    )
    return report
