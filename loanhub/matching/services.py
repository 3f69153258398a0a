"""Writes of the matching domain: applying to a product."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from loanhub.accounts.models import User
from loanhub.enterprises.models import Enterprise, EnterpriseMembership

from .exceptions import NotEnterpriseMember, ProductNotOpen
from .models import ProductApplication
from .selectors import application_open_get


def product_application_create(
    *, user: User, enterprise: Enterprise, product: object, note: str = ""
) -> tuple[ProductApplication, bool]:
    """Apply for ``product`` on behalf of ``enterprise``.

    Idempotent: when the enterprise already has an application to this product that
    was not withdrawn, that one is returned with ``created=False`` (a double click,
    or two tabs, give one application).
    """
    if not EnterpriseMembership.objects.filter(user=user, enterprise=enterprise).exists():
        raise NotEnterpriseMember()
    if not _accepts_applications(product):
        raise ProductNotOpen()
    existing = application_open_get(enterprise=enterprise, product_id=product.pk)
    if existing is not None:
        return existing, False
    application = ProductApplication(
        enterprise=enterprise, product_id=product.pk, applicant=user, note=note.strip()
    )
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # The other click won the race; the unique constraint kept one application.
        existing = application_open_get(enterprise=enterprise, product_id=product.pk)
        if existing is None:
            raise
        return existing, False
    return application, True


def _accepts_applications(product: object) -> bool:
    from cms.selectors import product_live_queryset

    return product_live_queryset().filter(pk=product.pk, is_open=True).exists()
