"""Background entry points (django-tasks): immediate in dev/tests, db_worker in production."""

from __future__ import annotations

from django_tasks import task

from . import batch
from .models import RescoreJob
from .services import rescore_job_run, rescore_usccs


@task()
def rescore_all_task(job_id: int) -> int:
    """Rescore everything: partitioned on Dask when LOANHUB_DASK_SCHEDULER is set, else in this process."""
    job = RescoreJob.objects.get(pk=job_id)
    if batch.dask_scheduler():
        return batch.rescore_job_run_dask(job).done
    return rescore_job_run(job).done


@task()
def rescore_usccs_task(usccs: list[str]) -> int:
    return rescore_usccs(usccs)
