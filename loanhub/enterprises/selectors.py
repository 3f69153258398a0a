"""Reads for enterprises, always scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from loanhub.accounts.models import User
from loanhub.accounts.permissions import is_platform_admin

from .models import (
    BusinessLicence,
    Enterprise,
    EnterpriseMembership,
    LicenceStatus,
    MemberRole,
    VerificationAttempt,
)

# 企业要素核验: at most this many failed attempts per enterprise in a rolling window.
MAX_ELEMENT_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(hours=24)


def enterprise_list_for_member(*, user: User) -> QuerySet[Enterprise]:
    """Enterprises the user belongs to: the only ones whose private pages it may open."""
    if not user.is_authenticated or not user.is_sme:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(memberships__user=user).order_by("name")


def enterprise_get_for_member(*, user: User, uscc: str) -> Enterprise | None:
    return enterprise_list_for_member(user=user).filter(uscc=uscc.upper()).first()


def enterprise_is_owner(*, user: User, enterprise: Enterprise) -> bool:
    return EnterpriseMembership.objects.filter(user=user, enterprise=enterprise, role=MemberRole.OWNER).exists()


def enterprise_members(*, enterprise: Enterprise) -> QuerySet[EnterpriseMembership]:
    return enterprise.memberships.select_related("user").order_by("joined_at")


@dataclass(frozen=True)
class ElementCheckState:
    attempts_left: int
    locked_until: datetime | None


def element_check_state(*, enterprise: Enterprise, now: datetime | None = None) -> ElementCheckState:
    """How many 企业要素核验 attempts remain, and until when checks are locked."""
    now = now or timezone.now()
    failures = list(
        VerificationAttempt.objects.filter(enterprise=enterprise, succeeded=False, at__gt=now - ATTEMPT_WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)[:MAX_ELEMENT_ATTEMPTS]
    )
    if len(failures) < MAX_ELEMENT_ATTEMPTS:
        return ElementCheckState(MAX_ELEMENT_ATTEMPTS - len(failures), None)
    # The oldest of the last five failures leaves the window first.
    return ElementCheckState(0, failures[-1] + ATTEMPT_WINDOW)


def licence_list_for_enterprise(*, enterprise: Enterprise) -> QuerySet[BusinessLicence]:
    return enterprise.licences.select_related("reviewed_by").order_by("-created_at", "-pk")


def licence_queue(*, status: str | None = LicenceStatus.PENDING) -> QuerySet[BusinessLicence]:
    """Licences for the back-office review queue, oldest pending first."""
    qs = BusinessLicence.objects.select_related("enterprise", "uploaded_by", "reviewed_by")
    if status:
        return qs.filter(status=status).order_by("created_at", "pk")
    return qs.order_by("-created_at", "-pk")


def licence_get_for_viewer(*, user: User, uscc: str, pk: int) -> BusinessLicence | None:
    """The licence, only for the enterprise's members and platform administrators."""
    qs = BusinessLicence.objects.select_related("enterprise").filter(pk=pk, enterprise__uscc=uscc.upper())
    if is_platform_admin(user):
        return qs.first()
    return qs.filter(enterprise__in=enterprise_list_for_member(user=user)).first()
