"""Who may read which enterprise's credit data, right now.

Every credit-data read outside the enterprise's own users goes through
:func:`viewer_scope`; nothing is shown beyond a live artefact's categories and range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q, QuerySet

from loanhub.accounts.models import User
from loanhub.credit_data.catalog import CATEGORY_CODES
from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution
from loanhub.institutions.selectors import institution_for_user

from .models import AccessLog, Authorization, GranteeType


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
    return (
        user.is_authenticated
        and user.is_sme
        and enterprise.memberships.filter(user=user).exists()
    )


def institutions_applied_to(*, enterprise: Enterprise) -> QuerySet[FinancialInstitution]:
    """Institutions the enterprise has applied to or been matched with."""
    try:
        from loanhub.matching.selectors import institution_ids_engaged_with  # noqa: PLC0415
    except ImportError:  # the matching app is not installed yet
        return FinancialInstitution.objects.none()
    return FinancialInstitution.objects.filter(
        pk__in=institution_ids_engaged_with(enterprise=enterprise)
    )


def live_authorizations_for_institution(
    *, enterprise: Enterprise, institution: FinancialInstitution, at: datetime | None = None
) -> list[Authorization]:
    live = Authorization.objects.live(at).filter(enterprise=enterprise)
    direct = Q(grantee_type=GranteeType.INSTITUTION, institution=institution)
    artefacts = list(live.filter(direct))
    applied = list(live.filter(grantee_type=GranteeType.APPLIED))
    if applied and institutions_applied_to(enterprise=enterprise).filter(pk=institution.pk).exists():
        artefacts += applied
    return artefacts


def live_platform_authorizations(
    *, enterprise: Enterprise, at: datetime | None = None
) -> list[Authorization]:
    return list(
        Authorization.objects.live(at).filter(
            enterprise=enterprise, grantee_type=GranteeType.PLATFORM
        )
    )


def scope_from(artefacts: list[Authorization], **kwargs: object) -> Scope:
    scope = Scope(is_own=False, authorizations=artefacts, **kwargs)  # type: ignore[arg-type]
    for artefact in artefacts:
        for code in artefact.categories:
            earliest = scope.categories.get(code)
            if earliest is None or artefact.data_from < earliest:
                scope.categories[code] = artefact.data_from
    return scope


def viewer_scope(
    *, user: User, enterprise: Enterprise, at: datetime | None = None
) -> Scope | None:
    """The viewer's scope, or None when it may see nothing of this enterprise."""
    if not user.is_authenticated:
        return None
    if is_member(user=user, enterprise=enterprise):
        return Scope(is_own=True, categories={c: date.min for c in CATEGORY_CODES})
    if user.is_bank_staff:
        institution = institution_for_user(user=user)
        if institution is None:
            return None
        artefacts = live_authorizations_for_institution(
            enterprise=enterprise, institution=institution, at=at
        )
        return scope_from(artefacts, institution=institution) if artefacts else None
    if user.is_platform_admin:
        artefacts = live_platform_authorizations(enterprise=enterprise, at=at)
        return scope_from(artefacts) if artefacts else None
    return None


def authorization_list(*, enterprise: Enterprise) -> QuerySet[Authorization]:
    return enterprise.authorizations.select_related("institution", "granted_by").order_by(
        "-created_at"
    )


def access_log_for_enterprise(*, enterprise: Enterprise) -> QuerySet[AccessLog]:
    return enterprise.access_logs.select_related("user", "institution").order_by("-at")

