"""Reads for institutions."""

from __future__ import annotations

from django.db.models import QuerySet

from loanhub.accounts.models import User

from .models import FinancialInstitution


def institution_for_user(*, user: User) -> FinancialInstitution | None:
    """The one institution a bank officer or manager belongs to, if any."""
    if not user.is_authenticated or not user.is_bank_staff:
        return None
    membership = getattr(user, "institution_membership", None)
    return membership.institution if membership else None


def institution_list(*, active_only: bool = True) -> QuerySet[FinancialInstitution]:
    qs = FinancialInstitution.objects.all()
    return qs.filter(is_active=True) if active_only else qs
