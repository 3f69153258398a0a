"""Background entry points (django-tasks): immediate in dev/tests, db_worker in production."""

from __future__ import annotations

from django_tasks import task

from .models import RescoreJob
from .services import rescore_job_run, rescore_usccs


@task()
def rescore_all_task(job_id: int) -> int:
    job = rescore_job_run(RescoreJob.objects.get(pk=job_id))
    return job.done


@task()
def rescore_usccs_task(usccs: list[str]) -> int:
    return rescore_usccs(usccs)
