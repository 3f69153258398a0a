"""Who may read which enterprise's credit data, right now.

Every credit-data read outside the enterprise's own users goes through
:func:`viewer_scope`; nothing is shown beyond a live artefact's categories and range.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate

from loanhub.accounts.models import User
from loanhub.credit_data.catalog import CATEGORY_BY_CODE, CATEGORY_CODES
from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution
from loanhub.institutions.selectors import institution_for_user

from .models import AccessLog, Authorization, Channel, GranteeType, Purpose


@dataclass
class Scope:
    """What a viewer may see of one enterprise's credit data."""

    is_own: bool
    categories: dict[str, date] = field(default_factory=dict)  # code → earliest record date
    authorizations: list[Authorization] = field(default_factory=list)
    institution: FinancialInstitution | None = None

    def allows(self, category: str, record_date: date) -> bool:
        earliest = self.categories.get(category)
        return earliest is not None and record_date >= earliest

    @property
    def purposes(self) -> list[str]:
        return sorted({a.purpose for a in self.authorizations})


def is_member(*, user: User, enterprise: Enterprise) -> bool:
    return user.is_authenticated and user.is_sme and enterprise.memberships.filter(user=user).exists()


def institutions_applied_to(*, enterprise: Enterprise) -> QuerySet[FinancialInstitution]:
    """Institutions the enterprise has applied to or been matched with."""
    try:
        from loanhub.matching.selectors import institution_ids_engaged_with
    except ImportError:  # the matching app is not installed yet
        return FinancialInstitution.objects.none()
    return FinancialInstitution.objects.filter(pk__in=institution_ids_engaged_with(enterprise=enterprise))


def live_authorizations_for_institution(
    *,
    enterprise: Enterprise,
    institution: FinancialInstitution,
    at: datetime | None = None,
    purposes: Collection[str] | None = None,
) -> list[Authorization]:
    live = Authorization.objects.live(at).filter(enterprise=enterprise)
    if purposes is not None:
        live = live.filter(purpose__in=list(purposes))
    direct = Q(grantee_type=GranteeType.INSTITUTION, institution=institution)
    artefacts = list(live.filter(direct))
    applied = list(live.filter(grantee_type=GranteeType.APPLIED))
    if applied and institutions_applied_to(enterprise=enterprise).filter(pk=institution.pk).exists():
        artefacts += applied
    return artefacts


def live_platform_authorizations(*, enterprise: Enterprise, at: datetime | None = None) -> list[Authorization]:
    return list(Authorization.objects.live(at).filter(enterprise=enterprise, grantee_type=GranteeType.PLATFORM))


def scope_from(artefacts: list[Authorization], **kwargs: Any) -> Scope:
    scope = Scope(is_own=False, authorizations=artefacts, **kwargs)
    for artefact in artefacts:
        for code in artefact.categories:
            earliest = scope.categories.get(code)
            if earliest is None or artefact.data_from < earliest:
                scope.categories[code] = artefact.data_from
    return scope


def viewer_scope(
    *,
    user: User,
    enterprise: Enterprise,
    at: datetime | None = None,
    purposes: Collection[str] | None = None,
) -> Scope | None:
    """The viewer's scope, or None when it may see nothing of this enterprise.

    ``purposes`` limits an outside viewer to artefacts signed for those purposes
    (DESIGN.md §4: each purpose allows its own reads; see ``loanhub.matching.judgements``).
    """
    if not enterprise.is_verified:
        return None
    if not user.is_authenticated:
        return None
    if is_member(user=user, enterprise=enterprise):
        return Scope(is_own=True, categories=dict.fromkeys(CATEGORY_CODES, date.min))
    if user.is_bank_staff:
        institution = institution_for_user(user=user)
        if institution is None:
            return None
        artefacts = live_authorizations_for_institution(
            enterprise=enterprise, institution=institution, at=at, purposes=purposes
        )
        return scope_from(artefacts, institution=institution) if artefacts else None
    if user.is_platform_admin:
        artefacts = live_platform_authorizations(enterprise=enterprise, at=at)
        return scope_from(artefacts) if artefacts else None
    return None


def authorization_list(*, enterprise: Enterprise) -> QuerySet[Authorization]:
    return enterprise.authorizations.select_related("institution", "granted_by").order_by("-created_at")


def access_log_for_enterprise(*, enterprise: Enterprise) -> QuerySet[AccessLog]:
    return enterprise.access_logs.select_related("user", "institution").order_by("-at")


@dataclass
class AccessDay:
    """One viewer's reads of the enterprise's data through one channel on one day."""

    day: date
    user: str
    institution: str
    channel: str
    count: int
    last_at: datetime
    categories: list[str] = field(default_factory=list)  # catalogue order, names
    purposes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the lead or page each read came from


def access_log_days(*, enterprise: Enterprise) -> QuerySet[AccessLog, Mapping[str, Any]]:
    """The access log grouped by viewer, channel and day, newest first (to paginate).

    Rows are dicts; :func:`access_days_detail` turns a page of them into ``AccessDay``.
    """
    return (
        enterprise.access_logs.annotate(day=TruncDate("at"))
        .values("day", "user_id", "user__username", "institution__name", "channel")
        .annotate(count=Count("id"), last_at=Max("at"))
        .order_by("-day", "-last_at")
    )


def access_days_detail(*, enterprise: Enterprise, groups: Sequence[Mapping[str, Any]]) -> list[AccessDay]:
    """Categories (catalogue order), purposes and sources of each group on a page."""
    if not groups:
        return []
    days = [g["day"] for g in groups]
    raw = (
        enterprise.access_logs.annotate(day=TruncDate("at"))
        .filter(day__gte=min(days), day__lte=max(days), user_id__in={g["user_id"] for g in groups})
        .values_list("day", "user_id", "channel", "categories", "purpose", "detail")
    )
    seen: dict[tuple, tuple[set, set, list]] = {}
    for day, user_id, channel, categories, purpose, detail in raw:
        cats, purposes, sources = seen.setdefault((day, user_id, channel), (set(), set(), []))
        cats.update(categories)
        purposes.add(purpose)
        if detail and detail not in sources:
            sources.append(detail)
    order = {code: i for i, code in enumerate(CATEGORY_CODES)}
    labels = dict(Purpose.choices)
    channels = dict(Channel.choices)
    result = []
    for g in groups:
        cats, purposes, sources = seen.get((g["day"], g["user_id"], g["channel"]), (set(), set(), []))
        result.append(
            AccessDay(
                day=g["day"], user=g["user__username"] or "—", institution=g["institution__name"] or "—",
                channel=str(channels.get(g["channel"], g["channel"])), count=g["count"], last_at=g["last_at"],
                categories=[
                    str(CATEGORY_BY_CODE[c].name)
                    for c in sorted(cats, key=lambda c: order.get(c, 99)) if c in CATEGORY_BY_CODE
                ],
                purposes=sorted(str(labels.get(p, p)) for p in purposes), sources=sorted(sources),
            )
        )  # fmt: skip
    return result
