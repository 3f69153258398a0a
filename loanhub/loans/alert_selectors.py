"""Reads of the early warning (贷后预警): live loans to watch, the monitoring authorizations
that allow an alert, and what a bank may see of an alert now.

An alert and its details are the enterprise's credit data (DESIGN.md §4): a bank sees an
alert's summary and record only while a live authorization for 贷后管理 (monitoring) to that
bank covers the alert's category and date, and only while the loan is live. Otherwise it
sees that an alert exists (kind, severity, dates, its own handling), with the reason why
the rest is hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.accounts.models import User
from loanhub.consent.models import Authorization, AuthorizationStatus, GranteeType, Purpose
from loanhub.enterprises.models import Enterprise
from loanhub.institutions.selectors import institution_for_user

from .models import CLOSED_STATUSES, AlertKind, AlertSeverity, AlertStatus, Loan, LoanAlert

ARTEFACT_FIELDS = (
    "id", "enterprise_id", "institution_id", "grantee_type", "status", "valid_from", "expires_at",
    "categories", "data_from",
)  # fmt: skip
HIDDEN_REASONS: dict[str, Any] = {
    "revoked": _("企业已撤回贷后管理授权，预警详情不再显示"),
    "expired": _("贷后管理授权已到期，预警详情不再显示"),
    "loan_closed": _("贷款已结束，预警详情不再显示"),
    "none": _("没有覆盖该信息类别的贷后管理授权，预警详情不显示"),
}


def live_loans_for_usccs(usccs: Iterable[str]) -> list[Loan]:
    """The live loans (not repaid, renewed or written off) of these enterprises (one query)."""
    codes = sorted(set(usccs))
    if not codes:
        return []
    return list(
        Loan.objects.filter(enterprise__uscc__in=codes)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("enterprise", "institution", "lead")
        .order_by("pk")
    )


def live_loans_for_enterprise_ids(ids: Iterable[int]) -> list[Loan]:
    return list(
        Loan.objects.filter(enterprise_id__in=sorted(set(ids)))
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("enterprise", "institution", "lead")
        .order_by("pk")
    )


def _artefact_rows(enterprise_ids: set[int], institution_ids: set[int]) -> list[Mapping[str, Any]]:
    """Monitoring artefacts of these enterprises that could name these banks (one query, any status)."""
    if not enterprise_ids:
        return []
    rows = Authorization.objects.filter(enterprise_id__in=enterprise_ids, purpose=Purpose.MONITORING).filter(
        Q(grantee_type=GranteeType.INSTITUTION, institution_id__in=institution_ids)
        | Q(grantee_type=GranteeType.APPLIED)
    )
    return list(rows.order_by("id").values(*ARTEFACT_FIELDS))


def _names_bank(row: Mapping[str, Any], institution_id: int) -> bool:
    # "Institutions I apply to" covers the lending bank: the loan came from its lead, so the
    # bank is one the enterprise engaged with (consent.selectors.institutions_applied_to).
    return row["grantee_type"] == GranteeType.APPLIED or row["institution_id"] == institution_id


def _is_live(row: Mapping[str, Any], at: datetime) -> bool:
    return bool(row["status"] == AuthorizationStatus.ACTIVE and row["valid_from"] <= at < row["expires_at"])


@dataclass(frozen=True)
class MonitoringGrants:
    """Live monitoring artefacts by (enterprise id, bank id), read once for a batch."""

    rows: Mapping[tuple[int, int], Sequence[Mapping[str, Any]]]

    def covering(self, enterprise_id: int, institution_id: int, category: str, day: date) -> int | None:
        """The id of the first live artefact covering ``category`` from ``day``, or None."""
        for row in self.rows.get((enterprise_id, institution_id), ()):
            if category in row["categories"] and day >= row["data_from"]:
                return int(row["id"])
        return None

    def all_for(self, enterprise_id: int, institution_id: int) -> list[Mapping[str, Any]]:
        return list(self.rows.get((enterprise_id, institution_id), ()))


def monitoring_grants(pairs: Iterable[tuple[int, int]], at: datetime | None = None) -> MonitoringGrants:
    """Live monitoring artefacts to each (enterprise, bank) pair (one query for all pairs)."""
    at = at or timezone.now()
    pairs = set(pairs)
    by_enterprise = _by_enterprise(_artefact_rows({e for e, _ in pairs}, {i for _, i in pairs}))
    found: dict[tuple[int, int], list[Mapping[str, Any]]] = defaultdict(list)
    for enterprise_id, institution_id in pairs:
        for row in by_enterprise.get(enterprise_id, ()):
            if _names_bank(row, institution_id) and _is_live(row, at):
                found[(enterprise_id, institution_id)].append(row)
    return MonitoringGrants(found)


def _by_enterprise(rows: Iterable[Mapping[str, Any]]) -> dict[int, list[Mapping[str, Any]]]:
    grouped: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["enterprise_id"]].append(row)
    return grouped


# ------------------------------------------------------------- what a bank may see


@dataclass(frozen=True)
class AlertCoverage:
    visible: bool
    reason: str = ""  # a key of HIDDEN_REASONS when not visible
    authorization_id: int | None = None  # the live artefact that allows the read

    @property
    def reason_text(self) -> str:
        return str(HIDDEN_REASONS.get(self.reason, "")) if self.reason else ""


def alert_basis(alert: LoanAlert) -> tuple[list[str], date | None]:
    """The categories (and earliest date) an alert's details come from."""
    if alert.record_id is not None and alert.record is not None:
        return [alert.record.category], alert.record.record_date
    # A score drop: computed from the categories of the artefact it was raised under.
    return list(alert.authorization.categories), alert.authorization.data_from


def coverage_for_alerts(alerts: Sequence[LoanAlert], at: datetime | None = None) -> dict[int, AlertCoverage]:
    """Alert id → whether its bank may see its details now, and if not, why (one query)."""
    at = at or timezone.now()
    by_enterprise = _by_enterprise(
        _artefact_rows({a.enterprise_id for a in alerts}, {a.institution_id for a in alerts})
    )
    result = {}
    for alert in alerts:
        mine = [r for r in by_enterprise.get(alert.enterprise_id, ()) if _names_bank(r, alert.institution_id)]
        categories, day = alert_basis(alert)
        live = [
            r for r in mine
            if _is_live(r, at) and set(categories) <= set(r["categories"]) and (day is None or day >= r["data_from"])
        ]  # fmt: skip
        if alert.loan.status in CLOSED_STATUSES:
            result[alert.pk] = AlertCoverage(False, "loan_closed")
        elif live:
            result[alert.pk] = AlertCoverage(True, "", int(live[0]["id"]))
        elif any(r["status"] == AuthorizationStatus.REVOKED for r in mine):
            result[alert.pk] = AlertCoverage(False, "revoked")
        elif any(r["expires_at"] <= at for r in mine):
            result[alert.pk] = AlertCoverage(False, "expired")
        else:
            result[alert.pk] = AlertCoverage(False, "none")
    return result


# ------------------------------------------------------------------ bank's lists


@dataclass(frozen=True)
class AlertFilters:
    severity: str = ""
    kind: str = ""
    status: str = ""  # "" = open and acknowledged (not closed); "all" = everything
    overdue: bool = False
    q: str = ""


def _base() -> QuerySet[LoanAlert]:
    return LoanAlert.objects.select_related(
        "loan", "loan__product", "loan__lead", "enterprise", "institution", "record", "authorization",
        "acknowledged_by",
    )  # fmt: skip


def alert_list_for_staff(*, user: User, filters: AlertFilters | None = None) -> QuerySet[LoanAlert]:
    """The alerts of the user's bank, filtered; none for anyone else."""
    institution = institution_for_user(user=user) if user.is_bank_staff else None
    if institution is None:
        return LoanAlert.objects.none()
    qs = _base().filter(institution=institution)
    f = filters or AlertFilters()
    if f.severity in AlertSeverity.values:
        qs = qs.filter(severity=f.severity)
    if f.kind in AlertKind.values:
        qs = qs.filter(kind=f.kind)
    if f.status in AlertStatus.values:
        qs = qs.filter(status=f.status)
    elif f.status != "all":
        qs = qs.exclude(status=AlertStatus.CLOSED)
    if f.overdue:
        qs = qs.filter(is_overdue=True)
    if f.q:
        qs = qs.filter(Q(enterprise__name__icontains=f.q) | Q(enterprise__uscc__icontains=f.q))
    return qs.order_by("-raised_at", "-pk")


def alert_get_for_staff(*, user: User, pk: int) -> LoanAlert | None:
    """One alert of the user's bank, or None (another bank's alert does not exist for it)."""
    return alert_list_for_staff(user=user, filters=AlertFilters(status="all")).filter(pk=pk).first()


def alert_counts_for_staff(*, user: User) -> dict[str, int]:
    qs = alert_list_for_staff(user=user)
    return {
        "open": qs.filter(status=AlertStatus.OPEN).count(),
        "overdue": qs.filter(status=AlertStatus.OPEN, is_overdue=True).count(),
        "high": qs.filter(status=AlertStatus.OPEN, severity=AlertSeverity.HIGH).count(),
    }


# ---------------------------------------------------------------------- SME side


def alert_list_for_enterprise(*, enterprise: Enterprise) -> QuerySet[LoanAlert]:
    """Alerts raised about the enterprise, for its own users (never the bank's notes)."""
    return (
        LoanAlert.objects.filter(enterprise=enterprise)
        .select_related("institution", "record", "loan__product")
        .order_by("-raised_at", "-pk")
    )
