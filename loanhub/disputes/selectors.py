from __future__ import annotations

from django.db.models import QuerySet

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
