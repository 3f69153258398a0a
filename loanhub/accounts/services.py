"""Writes for users: SME self-registration."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.services import enterprise_create

from .models import Notification, Role, User


@transaction.atomic
def user_register_sme(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str,
    uscc: str,
    enterprise_name: str,
    legal_representative: str,
    region: str,
    industry: str,
    registration_date: date,
    registered_capital: Decimal,
    legal_rep_id_number: str = "",
    legal_rep_phone: str = "",
) -> tuple[User, Enterprise]:
    """Register an SME user and its enterprise, the user becoming the owner.

    Everything happens in one transaction: a bad USCC or a taken one leaves no
    half-created user behind.
    """
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")}, code="username_taken")
    user = User(username=username, email=email, display_name=display_name, role=Role.SME)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    enterprise = enterprise_create(
        uscc=uscc,
        name=enterprise_name,
        legal_representative=legal_representative,
        region=region,
        industry=industry,
        registration_date=registration_date,
        registered_capital=registered_capital,
        contact_name=display_name,
        contact_email=email,
        legal_rep_id_number=legal_rep_id_number,
        legal_rep_phone=legal_rep_phone,
        owner=user,
    )
    return user, enterprise


@transaction.atomic
def user_create(*, username: str, password: str, role: str, **fields: object) -> User:
    user = User(username=username, role=role, **fields)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def notify(*, user: User, title: str, body: str = "", link: str = "") -> Notification:
    """Send an in-app notification and the same text by e-mail (when the user has one)."""
    from django.conf import settings
    from django.core.mail import send_mail


    notification = Notification.objects.create(user=user, title=title, body=body, link=link)
    if user.email:
        url = f"{settings.WAGTAILADMIN_BASE_URL}{link}" if link else ""
        transaction.on_commit(
            lambda: send_mail(
                f"[LoanHub 信易贷] {title}", f"{body}\n\n{url}".strip(), None, [user.email],
                fail_silently=True,
            )  # fmt: skip
        )
    return notification


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    from django.utils import timezone

    qs = user.notifications.filter(read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
