"""Background entry points of the post-loan app (django-tasks)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

CHECK_DEADLINES_TASK = "loanhub.matching.tasks.check_deadlines_task"


@task()
def alert_scan_task(usccs: list[str]) -> int:
    """Raise the alerts new records of these enterprises call for."""
    from .alerts import alert_scan

    return len(alert_scan(usccs))


@task()
def check_alert_deadlines_task() -> int:
    """Mark open alerts past their acknowledgement deadline overdue (managers are told)."""
    from .alerts import alerts_check_overdue

    return alerts_check_overdue()


def deadline_check_finished(sender: object, task_result: Any, **kwargs: object) -> None:
    """``django_tasks.signals.task_finished`` receiver: the platform's recurring deadline check
    (matching's ``check_deadlines_task``, every 15 minutes under ``db_worker``) also checks the
    alerts' acknowledgement deadlines, so one schedule keeps every response clock."""
    if getattr(task_result.task, "module_path", "") != CHECK_DEADLINES_TASK:
        return
    from .alerts import alerts_check_overdue

    alerts_check_overdue()
