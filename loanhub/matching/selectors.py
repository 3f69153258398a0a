"""Reads of product applications, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from loanhub.accounts.models import User
from loanhub.enterprises.models import Enterprise

from .models import ProductApplication


def application_open_get(*, enterprise: Enterprise, product_id: int) -> ProductApplication | None:
    """The enterprise's application to a product that has not been withdrawn."""
    return (
        ProductApplication.objects.filter(enterprise=enterprise, product_id=product_id)
        .exclude(status=ProductApplication.Status.WITHDRAWN)
        .first()
    )


def application_list_for_user(*, user: User) -> QuerySet[ProductApplication]:
    """Applications of every enterprise the user belongs to."""
    if not user.is_authenticated:
        return ProductApplication.objects.none()
    return ProductApplication.objects.filter(
        enterprise__memberships__user=user
    ).select_related("enterprise", "product")
