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
    """After products change: rematch every open need (vectorized per enterprise).

    With ``LOANHUB_DASK_SCHEDULER`` set, the needs are matched per USCC-hash partition on
    Dask (:func:`rematch_all_partitioned`); the suggestions are the same.
    """
    from loanhub.scoring.batch import dask_scheduler

    from .models import FinancingNeed, NeedStatus
    from .needs import need_rematch

    if dask_scheduler():
        return rematch_all_partitioned()
    total = 0
    for need in FinancingNeed.objects.filter(status=NeedStatus.OPEN).select_related("enterprise").iterator():
        total += len(need_rematch(need))
    return total


@task()
def judgements_refresh_task(enterprise_id: int) -> int:
    """After an enterprise's records changed: its leads' scoped judgements."""
    from .judgements import enterprise_judgements_refresh

    return enterprise_judgements_refresh(enterprise_id)


def match_each(rows: list, table: object) -> list:
    """``engine.match`` of each need on its own (a Dask task: one partition's needs).

    One by one, as ``matcher.match_need`` does: the bank score and fit are normalised
    over the needs matched together, so batching needs would change the ranking.
    """
    from . import engine

    if not isinstance(table, engine.ProductTable):
        raise TypeError("table must be an engine.ProductTable")
    return [engine.match([row], table) for row in rows]


def rematch_all_partitioned(scheduler: str | None = None) -> int:
    """``rematch_all_task`` per USCC-hash partition: this process reads each partition's needs
    and facts, a Dask worker runs the engine, this process words the suggestions."""
    from loanhub.scoring.batch import cluster, partition_of, partitions_for

    from . import matcher
    from .models import FinancingNeed, NeedStatus
    from .needs import need_suggestions

    needs = list(FinancingNeed.objects.filter(status=NeedStatus.OPEN).select_related("enterprise").order_by("pk"))
    table = matcher.product_table()
    if not needs or len(table) == 0:
        return 0
    parts = partition_of([n.enterprise.uscc for n in needs], partitions_for(len(needs)))
    total = 0
    with cluster(scheduler) as client:
        for part in sorted(set(parts.tolist())):
            group = [need for need, p in zip(needs, parts, strict=True) if p == part]
            facts = {n.enterprise_id: matcher.enterprise_facts(n.enterprise) for n in group}
            rows = [matcher.need_row(n, facts[n.enterprise_id]) for n in group]
            results = client.submit(match_each, rows, table, pure=False).result()
            for need, result in zip(group, results, strict=True):
                eligible, near = matcher.explain(result, 0, table, facts[need.enterprise_id])
                found = matcher.NeedMatches(facts[need.enterprise_id], eligible, near[:10])
                total += len(need_suggestions(need, found))
    return total
