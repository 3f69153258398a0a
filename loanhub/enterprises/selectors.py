"""Reads for enterprises, always scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from loanhub.accounts.models import User

from .models import Enterprise, EnterpriseMembership, MemberRole


def enterprise_list_for_member(*, user: User) -> QuerySet[Enterprise]:
    """Enterprises the user belongs to: the only ones whose private pages it may open."""
    if not user.is_authenticated or not user.is_sme:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(memberships__user=user).order_by("name")


def enterprise_get_for_member(*, user: User, uscc: str) -> Enterprise | None:
    return enterprise_list_for_member(user=user).filter(uscc=uscc.upper()).first()


def enterprise_is_owner(*, user: User, enterprise: Enterprise) -> bool:
    return EnterpriseMembership.objects.filter(
        user=user, enterprise=enterprise, role=MemberRole.OWNER
    ).exists()


def enterprise_members(*, enterprise: Enterprise) -> QuerySet[EnterpriseMembership]:
    return enterprise.memberships.select_related("user").order_by("joined_at")
