"""Reads for institutions."""

from __future__ import annotations

from django.db.models import QuerySet

from loanhub.accounts.models import User

from .models import FinancialInstitution, InstitutionMembership


def membership_for_staff(*, user: User) -> InstitutionMembership | None:
    """A bank officer's or manager's membership of their one institution, if any."""
    if not user.is_authenticated or not user.is_bank_staff:
        return None
    return getattr(user, "institution_membership", None)


def institution_for_user(*, user: User) -> FinancialInstitution | None:
    """The one institution a bank officer or manager belongs to, if any."""
    membership = membership_for_staff(user=user)
    return membership.institution if membership else None


def institution_list(*, active_only: bool = True) -> QuerySet[FinancialInstitution]:
    qs = FinancialInstitution.objects.all()
    return qs.filter(is_active=True) if active_only else qs
