"""Background entry points (django-tasks)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

CHECK_EVERY = timedelta(minutes=15)


@task()
def check_deadlines_task(reschedule: bool = True) -> int:
    """Mark overdue leads, then book the next run (with a backend that can defer)."""
    from .lifecycle import check_deadlines

    marked = check_deadlines()
    from .judgements import judgements_expire

    judgements_expire()
    if reschedule and check_deadlines_task.get_backend().supports_defer:
        check_deadlines_task.using(run_after=timezone.now() + CHECK_EVERY).enqueue(True)
    return marked


@task()
def rematch_enterprise_task(enterprise_id: int) -> int:
    from loanhub.enterprises.models import Enterprise

    from .needs import rematch_enterprise

    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    return rematch_enterprise(enterprise) if enterprise else 0


@task()
def rematch_all_task() -> int:
    """After products change: rematch every open need (vectorized per enterprise)."""
    from .models import FinancingNeed, NeedStatus
    from .needs import need_rematch

    total = 0
    for need in FinancingNeed.objects.filter(status=NeedStatus.OPEN).select_related("enterprise").iterator():
        total += len(need_rematch(need))
    return total


@task()
def judgements_refresh_task(enterprise_id: int) -> int:
    """After an enterprise's records changed: its leads' scoped judgements."""
    from .judgements import enterprise_judgements_refresh

    return enterprise_judgements_refresh(enterprise_id)
