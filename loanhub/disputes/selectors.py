from __future__ import annotations

from django.db.models import QuerySet

from loanhub.accounts.models import User
from loanhub.accounts.permissions import is_platform_admin
from loanhub.enterprises.models import Enterprise

from .models import Objection, ObjectionStatus, RepairRequest, RepairStatus


def objection_list(*, enterprise: Enterprise | None = None, open_only: bool = False) -> QuerySet[Objection]:
    qs = Objection.objects.select_related("enterprise", "record", "raised_by")
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if open_only:
        qs = qs.filter(status=ObjectionStatus.OPEN)
    return qs.order_by("status", "due_date", "-created_at")


def repair_list(*, enterprise: Enterprise | None = None, pending_only: bool = False) -> QuerySet[RepairRequest]:
    qs = RepairRequest.objects.select_related("enterprise", "record", "applicant")
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if pending_only:
        qs = qs.filter(status=RepairStatus.PENDING)
    return qs.order_by("status", "-created_at")


def _for_viewer(qs: QuerySet, *, user: User, uscc: str) -> QuerySet:
    """The enterprise's members and platform administrators; nobody else (banks
    included) — they get nothing, not even whether the case exists."""
    qs = qs.filter(enterprise__uscc=uscc.upper())
    if is_platform_admin(user):
        return qs
    return qs.filter(enterprise__memberships__user=user)


def objection_get_for_viewer(*, user: User, uscc: str, pk: int) -> Objection | None:
    qs = Objection.objects.select_related("enterprise", "record").filter(pk=pk)
    return _for_viewer(qs, user=user, uscc=uscc).first()


def repair_get_for_viewer(*, user: User, uscc: str, pk: int) -> RepairRequest | None:
    qs = RepairRequest.objects.select_related("enterprise", "record").filter(pk=pk)
    return _for_viewer(qs, user=user, uscc=uscc).first()
