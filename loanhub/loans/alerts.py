"""Early warning (贷后预警): detecting adverse information on live loans and handling the alerts.

Detection runs after records of enterprises are stored (``credit_data.services.on_data_change``,
one call per import batch or provider fetch, after commit) and after new scores are stored
(``scoring.services.on_score_recorded``). Both hooks are registered in ``LoansConfig.ready``:
the lower apps never import this one.

An alert is raised only under a live authorization for 贷后管理 (monitoring) to the lending
bank (named, or "institutions I apply to") that covers the record's category and date; it
carries only what that artefact covers. One alert per (loan, record) and per (loan, day of a
score drop): the ``dedupe_key`` makes re-importing the same file raise nothing new.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.accounts.services import notify
from loanhub.consent.models import AccessLog, Authorization, Channel, Purpose
from loanhub.consent.selectors import scope_from
from loanhub.consent.services import access_log_bulk
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.rules import dishonest_listing_live, record_counts
from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import InstitutionMembership, StaffRole
from loanhub.institutions.selectors import institution_for_user
from loanhub.matching.clock import platform_settings, work_calendar
from loanhub.scoring.exceptions import NoActiveModel
from loanhub.scoring.models import ScoreRecord, Trigger
from loanhub.scoring.selectors import data_coverage
from loanhub.scoring.services import score_enterprises

from .alert_selectors import (
    AlertCoverage,
    MonitoringGrants,
    alert_basis,
    coverage_for_alerts,
    live_loans_for_enterprise_ids,
    live_loans_for_usccs,
    monitoring_grants,
)
from .models import AlertAction, AlertKind, AlertSeverity, AlertStatus, Loan, LoanAlert

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------ the rules (named)

#: Penalty severity (行政处罚 ``severity``) → alert severity; 轻微 penalties are not shown, so no alert.
PENALTY_SEVERITY = {"严重": AlertSeverity.HIGH, "一般": AlertSeverity.MEDIUM}
#: A judicial case as defendant is 高 from this amount (元), or from this share of the loan, or in enforcement.
JUDICIAL_HIGH_AMOUNT = Decimal("1000000")
JUDICIAL_HIGH_LOAN_SHARE = Decimal("0.5")
#: Social-insurance arrears (元) from which the alert is 中 (below: 低).
SI_ARREARS_MEDIUM_AMOUNT = Decimal("50000")
#: Tax arrears (元) from which the alert is 高 (below: 中).
TAX_ARREARS_HIGH_AMOUNT = Decimal("100000")
#: Tax credit grades, best first; a drop to D is 高, to C 中, otherwise 低.
TAX_GRADES = ("A", "B", "M", "C", "D")
TAX_DROP_SEVERITY = {"D": AlertSeverity.HIGH, "C": AlertSeverity.MEDIUM}
#: A sharp score drop: at least this many points, or this many grades, against the previous score.
SCORE_DROP_POINTS = 50
SCORE_DROP_GRADES = 2
#: A drop of this many points (or ``SCORE_DROP_GRADES`` grades) is 高, a smaller sharp drop 中.
SCORE_DROP_HIGH_POINTS = 100
SCORE_GRADES = ("A", "B", "C", "D", "E")

#: The categories detection reads.
WATCHED_CATEGORIES = (
    "penalty", "judicial", "dishonest_debtor", "social_insurance", "tax_payment", "tax_rating", "registration",
)  # fmt: skip
KIND_CATEGORY = {
    AlertKind.PENALTY: "penalty",
    AlertKind.JUDICIAL: "judicial",
    AlertKind.DISHONEST: "dishonest_debtor",
    AlertKind.SOCIAL_INSURANCE_ARREARS: "social_insurance",
    AlertKind.TAX_ARREARS: "tax_payment",
    AlertKind.TAX_RATING_DROP: "tax_rating",
    AlertKind.ABNORMAL_OPERATION: "registration",
}
LOAN_ALERT_EVENT = "loan.alert"
SCAN_CHUNK = 5000  # enterprises per scan query (an import batch may touch hundreds of thousands)


class AlertError(Exception):
    """A refused alert action; the message says why, for the person who asked."""


class AlertAlreadyHandled(AlertError):
    pass


class AlertNotAuthorized(AlertError):
    pass


# ------------------------------------------------------------------------- events

AlertListener = Callable[[LoanAlert, str], object]
_alert_listeners: list[AlertListener] = []


def on_alert_event(listener: AlertListener) -> None:
    """Register ``listener(alert, event)``, called after the commit that raised an alert
    (``loan.alert``). The API registers its webhook delivery here (api may import loans)."""
    if listener not in _alert_listeners:
        _alert_listeners.append(listener)


def _announce(alert: LoanAlert) -> None:
    for listener in _alert_listeners:
        transaction.on_commit(partial(listener, alert, LOAN_ALERT_EVENT))


# ---------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _money(value: object) -> str:
    return f"{_decimal(value):,.2f}".rstrip("0").rstrip(".")


def _judicial_severity(record: CreditRecord, loan: Loan) -> str:
    amount = _decimal(record.payload.get("amount"))
    big = amount >= JUDICIAL_HIGH_AMOUNT or amount >= loan.amount * JUDICIAL_HIGH_LOAN_SHARE
    return AlertSeverity.HIGH if big or record.payload.get("status") == "enforcing" else AlertSeverity.MEDIUM


def finding_for(record: CreditRecord, loan: Loan, previous_grade: str | None, on: date) -> Finding | None:
    """What a newly stored record means for a loan (None: nothing to warn about)."""
    payload = record.payload
    category = record.category
    if category == "penalty":
        severity = PENALTY_SEVERITY.get(record.severity)
        return Finding(AlertKind.PENALTY, severity) if severity else None
    if category == "judicial" and payload.get("role") == "defendant":
        return Finding(AlertKind.JUDICIAL, _judicial_severity(record, loan))
    if category == "dishonest_debtor" and dishonest_listing_live(record, on):
        return Finding(AlertKind.DISHONEST, AlertSeverity.HIGH)
    if category == "social_insurance" and _decimal(payload.get("arrears")) > 0:
        big = _decimal(payload.get("arrears")) >= SI_ARREARS_MEDIUM_AMOUNT
        return Finding(AlertKind.SOCIAL_INSURANCE_ARREARS, AlertSeverity.MEDIUM if big else AlertSeverity.LOW)
    if category == "tax_payment" and _decimal(payload.get("arrears")) > 0:
        big = _decimal(payload.get("arrears")) >= TAX_ARREARS_HIGH_AMOUNT
        return Finding(AlertKind.TAX_ARREARS, AlertSeverity.HIGH if big else AlertSeverity.MEDIUM)
    if category == "tax_rating" and previous_grade in TAX_GRADES and payload.get("grade") in TAX_GRADES:
        grade = str(payload["grade"])
        if TAX_GRADES.index(grade) > TAX_GRADES.index(previous_grade):
            return Finding(AlertKind.TAX_RATING_DROP, TAX_DROP_SEVERITY.get(grade, AlertSeverity.LOW))
        return None
    if category == "registration" and payload.get("event") == "abnormal_listed":
        return Finding(AlertKind.ABNORMAL_OPERATION, AlertSeverity.MEDIUM)
    return None


def record_summary(kind: str, record: CreditRecord, previous_grade: str | None = None) -> str:
    """One line about the record, only from the record's own category (what the artefact covers)."""
    p = record.payload
    day = record.record_date.isoformat()
    if kind == AlertKind.PENALTY:
        return _("%(issuer)s 作出行政处罚（%(severity)s），罚款 %(fine)s 元，决定日期 %(day)s") % {
            "issuer": p.get("issuer", ""), "severity": record.severity, "fine": _money(p.get("fine_amount")),
            "day": day,
        }  # fmt: skip
    if kind == AlertKind.JUDICIAL:
        return _("作为被告涉诉：%(case)s，涉案金额 %(amount)s 元，立案日期 %(day)s") % {
            "case": p.get("case_type", ""), "amount": _money(p.get("amount")), "day": day,
        }  # fmt: skip
    if kind == AlertKind.DISHONEST:
        return _("被 %(issuer)s 列入失信被执行人名单，列入日期 %(day)s") % {
            "issuer": p.get("issuer", ""), "day": p.get("listed_on") or day,
        }  # fmt: skip
    if kind == AlertKind.SOCIAL_INSURANCE_ARREARS:
        return _("%(month)s 社保欠费 %(amount)s 元") % {
            "month": str(p.get("month") or day)[:7],
            "amount": _money(p.get("arrears")),
        }
    if kind == AlertKind.TAX_ARREARS:
        return _("%(period)s 欠税 %(amount)s 元") % {"period": p.get("period", day), "amount": _money(p.get("arrears"))}
    if kind == AlertKind.TAX_RATING_DROP:
        return _("%(year)s 年度纳税信用等级由 %(before)s 降至 %(after)s") % {
            "year": p.get("year", ""), "before": previous_grade or "—", "after": p.get("grade", ""),
        }  # fmt: skip
    if kind == AlertKind.ABNORMAL_OPERATION:
        return _("列入经营异常名录，日期 %(day)s") % {"day": day}
    return str(AlertKind(kind).label)


def _previous_grades(records: Sequence[CreditRecord]) -> dict[int, tuple[str, date]]:
    """Tax-rating record id → (the grade of the year before, that record's date), per enterprise."""
    by_uscc: dict[str, list[CreditRecord]] = defaultdict(list)
    for record in records:
        if record.category == "tax_rating" and record.removed_at is None:
            by_uscc[record.uscc].append(record)
    result = {}
    for ratings in by_uscc.values():
        ratings.sort(key=lambda r: (int(r.payload.get("year") or 0), r.record_date))
        for before, after in zip(ratings, ratings[1:], strict=False):
            result[after.pk] = (str(before.payload.get("grade", "")), before.record_date)
    return result


def in_both_languages(write: Callable[..., str], *args: Any) -> tuple[str, str]:
    """A sentence the platform writes, in Chinese (the record of the alert) and in English,
    whatever the language of whoever's request set the check off."""
    with translation.override(settings.LANGUAGE_CODE):
        chinese = write(*args)
    with translation.override("en"):
        english = write(*args)
    return chinese, english


@dataclass(frozen=True)
class _Candidate:
    loan: Loan
    kind: str
    severity: str
    dedupe_key: str
    summary: str
    authorization_id: int
    record: CreditRecord | None = None
    summary_en: str = ""


def _record_candidates(
    loans: Sequence[Loan], records: Sequence[CreditRecord], grants: MonitoringGrants, on: date
) -> list[_Candidate]:
    previous = _previous_grades(records)
    by_uscc: dict[str, list[CreditRecord]] = defaultdict(list)
    for record in records:
        by_uscc[record.uscc].append(record)
    found = []
    for loan in loans:
        for record in by_uscc.get(loan.enterprise.uscc, ()):
            if record.record_date < loan.disbursed_on or not record_counts(record, on):
                continue  # before the loan (known at underwriting) or no longer counting
            artefact = grants.covering(loan.enterprise_id, loan.institution_id, record.category, record.record_date)
            if artefact is None:
                continue  # nothing covers it for this bank: no alert at all
            before = previous.get(record.pk)
            if (
                before is not None
                and grants.covering(loan.enterprise_id, loan.institution_id, "tax_rating", before[1]) is None
            ):
                before = None  # the earlier grade is outside what the bank may see
            finding = finding_for(record, loan, before[0] if before else None, on)
            if finding is None:
                continue
            summary, summary_en = in_both_languages(record_summary, finding.kind, record, before[0] if before else None)
            found.append(
                _Candidate(
                    loan, finding.kind, finding.severity, f"record:{record.pk}", summary, artefact, record, summary_en
                )
            )
    return found


def _watched_records(loans: Sequence[Loan]) -> list[CreditRecord]:
    """The watched records of these loans' enterprises since the earliest disbursement (one query);
    tax ratings of any date, to compare a new grade with the year before."""
    if not loans:
        return []
    usccs = sorted({loan.enterprise.uscc for loan in loans})
    since = min(loan.disbursed_on for loan in loans)
    others = [c for c in WATCHED_CATEGORIES if c != "tax_rating"]
    return list(
        CreditRecord.objects.filter(uscc__in=usccs, removed_at__isnull=True).filter(
            Q(category__in=others, record_date__gte=since) | Q(category="tax_rating")
        )
    )


def alert_scan(usccs: Iterable[str], *, at: datetime | None = None) -> list[LoanAlert]:
    """Raise the alerts new records of these enterprises call for; returns the new alerts.

    Reads are batched: the live loans, the records, the authorizations and the alerts already
    raised are one query each, whatever the number of records.
    """
    at = at or timezone.now()
    codes = sorted(set(usccs))
    if len(codes) > SCAN_CHUNK:  # a province-wide import: bounded IN lists, the same few queries a chunk
        return [a for i in range(0, len(codes), SCAN_CHUNK) for a in alert_scan(codes[i : i + SCAN_CHUNK], at=at)]
    loans = live_loans_for_usccs(codes)
    if not loans:
        return []
    grants = monitoring_grants({(loan.enterprise_id, loan.institution_id) for loan in loans}, at)
    loans = [loan for loan in loans if grants.all_for(loan.enterprise_id, loan.institution_id)]
    candidates = _record_candidates(loans, _watched_records(loans), grants, timezone.localdate(at))
    return _raise_all(candidates, at)


def alert_scan_enterprise(enterprise: Enterprise, *, at: datetime | None = None) -> list[LoanAlert]:
    """Everything the early warning checks for one enterprise: its records, then its score."""
    return alert_scan([enterprise.uscc], at=at) + score_drop_check([enterprise.pk], at=at)


def records_changed(usccs: list[str]) -> int:
    """``credit_data.services.on_data_change`` listener: after each import batch or fetch commits."""
    try:
        return len(alert_scan(usccs))
    except Exception:  # the import stands whatever happens to its alerts; logged to be fixed
        logger.exception("early warning: scan failed for %d enterprises", len(usccs))
        return 0


# --------------------------------------------------------------------- score drops


def _grade_drop(before: str, after: str) -> int:
    if before not in SCORE_GRADES or after not in SCORE_GRADES:
        return 0
    return SCORE_GRADES.index(after) - SCORE_GRADES.index(before)


def score_drop_finding(before: ScoreRecord, after: ScoreRecord) -> Finding | None:
    points = before.score - after.score
    grades = _grade_drop(before.grade, after.grade)
    if points < SCORE_DROP_POINTS and grades < SCORE_DROP_GRADES:
        return None
    high = points >= SCORE_DROP_HIGH_POINTS or grades >= SCORE_DROP_GRADES
    return Finding(AlertKind.SCORE_DROP, AlertSeverity.HIGH if high else AlertSeverity.MEDIUM)


def _previous_scoped(current: ScoreRecord) -> ScoreRecord | None:
    """The bank's scoped score before ``current``, computed from the same categories."""
    earlier = ScoreRecord.objects.filter(
        enterprise_id=current.enterprise_id, scope=current.scope, created_at__lte=current.created_at
    ).exclude(pk=current.pk)
    for record in earlier.order_by("-created_at", "-pk")[:20]:
        if sorted(record.categories) == sorted(current.categories):
            return record
    return None


def _score_candidate(loan: Loan, grants: MonitoringGrants) -> _Candidate | None:
    rows = grants.all_for(loan.enterprise_id, loan.institution_id)
    artefacts = list(Authorization.objects.filter(pk__in=[r["id"] for r in rows]).order_by("pk"))
    scope = scope_from(artefacts, institution=loan.institution)
    if not data_coverage(enterprise=loan.enterprise, scope=scope).rated:
        return None
    # Only what the monitoring artefacts cover, stored as its own record (scope key and exactly these
    # categories): ``score_for_scope`` may hand back a lead judgement's record of another category set.
    current = score_enterprises([loan.enterprise], trigger=Trigger.DATA_CHANGE, scope=scope)[0]
    before = _previous_scoped(current)
    finding = score_drop_finding(before, current) if before else None
    if before is None or finding is None:
        return None
    summary, summary_en = in_both_languages(_score_drop_summary, before, current)
    # One alert per loan and day of the drop; the artefact recorded is the one whose categories
    # the scoped score used (all monitoring artefacts' categories: the first one stands for them).
    return _Candidate(
        loan, finding.kind, finding.severity, f"score:{current.as_of.isoformat()}", summary, artefacts[0].pk,
        summary_en=summary_en,
    )  # fmt: skip


def _score_drop_summary(before: ScoreRecord, current: ScoreRecord) -> str:
    return _("授权范围内的信用评分由 %(before)s（%(bg)s 级）降至 %(after)s（%(ag)s 级）") % {
        "before": before.score, "bg": before.grade, "after": current.score, "ag": current.grade,
    }  # fmt: skip


def score_drop_check(enterprise_ids: Iterable[int], *, at: datetime | None = None) -> list[LoanAlert]:
    """Compare each watched loan's scoped score (monitoring artefacts only) with the previous one."""
    at = at or timezone.now()
    loans = live_loans_for_enterprise_ids(enterprise_ids)
    if not loans:
        return []
    grants = monitoring_grants({(loan.enterprise_id, loan.institution_id) for loan in loans}, at)
    candidates = []
    for loan in loans:
        if not grants.all_for(loan.enterprise_id, loan.institution_id):
            continue
        try:
            candidate = _score_candidate(loan, grants)
        except NoActiveModel:
            return []
        if candidate is not None:
            candidates.append(candidate)
    return _raise_all(candidates, at)


def scores_recorded(enterprise_ids: list[int]) -> int:
    """``scoring.services.on_score_recorded`` listener: after new full-scope scores commit."""
    try:
        return len(score_drop_check(enterprise_ids))
    except Exception:  # the score stands whatever happens to its alerts
        logger.exception("early warning: score check failed for %d enterprises", len(enterprise_ids))
        return 0


# ------------------------------------------------------------------------ raising


def ack_deadline_for(raised_at: datetime) -> datetime:
    """Acknowledge by the end of the ``claim_workdays``-th working day (the matching clock)."""
    platform = platform_settings()
    return work_calendar(platform).deadline(raised_at, platform.claim_workdays)


def _raise_all(candidates: Sequence[_Candidate], at: datetime) -> list[LoanAlert]:
    if not candidates:
        return []
    existing = set(
        LoanAlert.objects.filter(loan_id__in={c.loan.pk for c in candidates}).values_list("loan_id", "dedupe_key")
    )
    fresh = [c for c in candidates if (c.loan.pk, c.dedupe_key) not in existing]
    deadline = ack_deadline_for(at) if fresh else at
    raised = []
    for c in fresh:
        alert = _create(c, at, deadline)
        if alert is not None:
            raised.append(alert)
    return raised


def _create(c: _Candidate, at: datetime, deadline: datetime) -> LoanAlert | None:
    try:
        with transaction.atomic():
            alert = LoanAlert.objects.create(
                loan=c.loan, enterprise_id=c.loan.enterprise_id, institution_id=c.loan.institution_id,
                kind=c.kind, severity=c.severity, record=c.record, authorization_id=c.authorization_id,
                dedupe_key=c.dedupe_key, summary=c.summary[:500], summary_en=c.summary_en[:500], raised_at=at,
                ack_deadline=deadline,
            )  # fmt: skip
            _tell_bank(alert)
            _announce(alert)
    except IntegrityError:  # raised meanwhile by a concurrent scan of the same records
        return None
    return alert


def alert_raise(
    *,
    loan: Loan,
    kind: str,
    severity: str,
    summary: str,
    dedupe_key: str,
    record: CreditRecord | None = None,
    authorization: Authorization | None = None,
    raised_at: datetime | None = None,
) -> LoanAlert:
    """Raise one alert by hand (the demo, tests); the same consent rule applies.

    Without ``authorization`` the live monitoring artefact covering the record's category (or,
    for a score drop, any live monitoring artefact) is used; with none, ``AlertNotAuthorized``.
    Raising the same ``dedupe_key`` again returns the alert already raised.
    """
    at = raised_at or timezone.now()
    existing = LoanAlert.objects.filter(loan=loan, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    if not loan.is_live:
        raise AlertNotAuthorized(_("贷款已结束，不再预警。"))
    grants = monitoring_grants({(loan.enterprise_id, loan.institution_id)}, at)
    rows = grants.all_for(loan.enterprise_id, loan.institution_id)
    if record is not None:
        covering = grants.covering(loan.enterprise_id, loan.institution_id, record.category, record.record_date)
        allowed = {covering} if covering is not None else set()
    else:
        allowed = {int(r["id"]) for r in rows}
    if authorization is not None:
        allowed &= {authorization.pk}
    if not allowed:
        raise AlertNotAuthorized(_("没有覆盖该信息的贷后管理授权，不能向贷款机构预警。"))
    candidate = _Candidate(loan, kind, severity, dedupe_key, summary, min(allowed), record)
    alert = _create(candidate, at, ack_deadline_for(at))
    return alert or LoanAlert.objects.get(loan=loan, dedupe_key=dedupe_key)


def _bank_recipients(alert: LoanAlert) -> list[User]:
    managers = InstitutionMembership.objects.filter(institution_id=alert.institution_id, role=StaffRole.MANAGER)
    users = {m.user.pk: m.user for m in managers.select_related("user")}
    handler = alert.loan.lead.claimed_by
    if handler is not None:
        users.setdefault(handler.pk, handler)
    return [u for u in users.values() if u.is_active]


def alert_link(alert: LoanAlert) -> str:
    return f"/cms-admin/loan-alerts/{alert.pk}/"


def _tell_bank(alert: LoanAlert) -> None:
    """The loan's handler and the bank's managers: the kind and enterprise, never the details."""
    title = _("贷后预警（%(severity)s）：%(enterprise)s") % {
        "severity": alert.get_severity_display(), "enterprise": alert.loan.enterprise.name,
    }  # fmt: skip
    body = _("%(kind)s，请于 %(deadline)s 前确认。") % {
        "kind": alert.get_kind_display(),
        "deadline": timezone.localtime(alert.ack_deadline).strftime("%Y-%m-%d %H:%M"),
    }
    for user in _bank_recipients(alert):
        notify(user=user, title=title, body=body, link=alert_link(alert))


# ------------------------------------------------------------------------ handling


def _check_staff(alert: LoanAlert, user: User) -> None:
    institution = institution_for_user(user=user) if user.is_bank_staff else None
    if institution is None or institution.pk != alert.institution_id:
        raise PermissionDenied(_("只有贷款机构的工作人员可以处理该预警。"))


def _who_handled(alert: LoanAlert) -> str:
    alert.refresh_from_db()
    who = alert.acknowledged_by.get_full_name() or alert.acknowledged_by.username if alert.acknowledged_by else ""
    return who or "—"


@transaction.atomic
def alert_acknowledge(*, alert: LoanAlert, user: User, note: str, action: str) -> LoanAlert:
    """Acknowledge with a note and a follow-up action; of two officers at once, one wins."""
    _check_staff(alert, user)
    note = (note or "").strip()
    if not note:
        raise AlertError(_("请填写处理说明。"))
    if action not in AlertAction.values:
        raise AlertError(_("请选择后续措施。"))
    now = timezone.now()
    updated = LoanAlert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_by=user, acknowledged_at=now, ack_note=note[:1000],
        action=action,
    )  # fmt: skip
    if not updated:
        raise AlertAlreadyHandled(_("该预警已由 %(who)s 确认或已关闭，无需重复确认。") % {"who": _who_handled(alert)})
    alert.refresh_from_db()
    return alert


@transaction.atomic
def alert_close(*, alert: LoanAlert, user: User) -> LoanAlert:
    """Close an acknowledged alert (the follow-up is done)."""
    _check_staff(alert, user)
    updated = LoanAlert.objects.filter(pk=alert.pk, status=AlertStatus.ACKNOWLEDGED).update(
        status=AlertStatus.CLOSED, closed_at=timezone.now()
    )
    if not updated:
        alert.refresh_from_db()
        if alert.status == AlertStatus.CLOSED:
            raise AlertAlreadyHandled(_("该预警已关闭。"))
        raise AlertError(_("请先确认预警并填写处理说明，再关闭。"))
    alert.refresh_from_db()
    return alert


def alerts_check_overdue(now: datetime | None = None) -> int:
    """Mark open alerts past their acknowledgement deadline as overdue and tell the bank's managers."""
    now = now or timezone.now()
    marked = 0
    late = LoanAlert.objects.filter(status=AlertStatus.OPEN, is_overdue=False, ack_deadline__lt=now)
    for alert in late.select_related("enterprise", "loan__lead"):
        with transaction.atomic():
            if not LoanAlert.objects.filter(pk=alert.pk, is_overdue=False, status=AlertStatus.OPEN).update(
                is_overdue=True
            ):
                continue
            managers = InstitutionMembership.objects.filter(institution_id=alert.institution_id, role=StaffRole.MANAGER)
            for membership in managers.select_related("user"):
                notify(
                    user=membership.user,
                    title=_("贷后预警超时未确认：%(enterprise)s") % {"enterprise": alert.enterprise.name},
                    body=str(alert.get_kind_display()),
                    link=alert_link(alert),
                )
        marked += 1
    return marked


# ------------------------------------------------------------------ reads are logged


def alert_reads_log(
    *, viewer: User | None, alerts: Sequence[LoanAlert], coverage: dict[int, AlertCoverage], channel: str,
    detail: str,
) -> int:  # fmt: skip
    """One access-log row per alert whose details were shown (one INSERT), like lead reads."""
    institution = institution_for_user(user=viewer) if viewer is not None and viewer.is_bank_staff else None
    entries = []
    for alert in alerts:
        cover = coverage.get(alert.pk)
        if cover is None or not cover.visible:
            continue
        categories, _day = alert_basis(alert)
        entries.append(
            AccessLog(
                enterprise_id=alert.enterprise_id, user=viewer, institution=institution or alert.institution,
                authorization_id=cover.authorization_id, categories=sorted(categories), purpose=Purpose.MONITORING,
                channel=channel, detail=f"{detail}：贷后预警 #{alert.pk}"[:200],
            )
        )  # fmt: skip
    access_log_bulk(entries)
    return len(entries)


def alert_delivery_logged(alert: LoanAlert) -> int:
    """A webhook push of an alert's kind to the bank's system is a read too (channel webhook)."""
    coverage = coverage_for_alerts([alert])
    return alert_reads_log(viewer=None, alerts=[alert], coverage=coverage, channel=Channel.WEBHOOK, detail="推送")
